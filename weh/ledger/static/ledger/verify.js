// Verifies a transparency log entry in the browser, trusting nothing the server says but the
// verifier key shown on the page (which the reader should compare with one from elsewhere):
//   1. the verifier key's id is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] (C2SP signed-note);
//   2. the leaf hash SHA-256(0x00 ‖ entry) is the one the log claims (RFC 9162 §2.1.1);
//   3. the checkpoint is the log's, and its Ed25519 signature verifies (C2SP tlog-checkpoint);
//   4. the inclusion proof leads from that leaf to the signed root (RFC 9162 §2.1.3.2);
//   5. the log's current checkpoint does not contradict it.
// Plain JavaScript and the Web Crypto API; messages come translated in the page's data-
// attributes. Progressive enhancement: without this file the page explains how to verify offline.
(function () {
  "use strict";

  var section = document.getElementById("verify");
  if (!section) return;
  var list = document.getElementById("verify-steps");
  var verdict = document.getElementById("verify-verdict");
  var button = document.getElementById("verify-button");
  var data = section.dataset;
  var SYMBOLS = { pass: "✓", fail: "✗", skip: "–", info: "ℹ" };

  // A translated message with {name} placeholders filled in.
  function message(key, values) {
    var text = data["msg" + key] || key;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name)
        ? String(values[name])
        : whole;
    });
  }

  // One result line, built from DOM nodes (never HTML text: values come from the server).
  function report(step, result, text) {
    var item = document.createElement("li");
    item.dataset.step = step;
    item.dataset.result = result;
    item.className = "verify-" + result;
    var symbol = document.createElement("span");
    symbol.className = "verify-symbol";
    symbol.setAttribute("aria-hidden", "true");
    symbol.textContent = SYMBOLS[result];
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = data["label" + result.charAt(0).toUpperCase() + result.slice(1)] + " ";
    item.appendChild(symbol);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(label);
    item.appendChild(document.createTextNode(text));
    list.appendChild(item);
    return result;
  }

  function conclude(result, text) {
    verdict.dataset.result = result;
    verdict.className = "verify-verdict verify-" + result;
    verdict.textContent = (result === "pass" ? "✓ " : result === "fail" ? "✗ " : "– ") + text;
  }

  // --- bytes -----------------------------------------------------------------------------------

  function fromBase64(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4) {
      throw new Error("not base64");
    }
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function toBase64(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }

  function toHex(bytes) {
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function concat() {
    var total = 0;
    var i;
    for (i = 0; i < arguments.length; i++) total += arguments[i].length;
    var out = new Uint8Array(total);
    var at = 0;
    for (i = 0; i < arguments.length; i++) {
      out.set(arguments[i], at);
      at += arguments[i].length;
    }
    return out;
  }

  function equal(a, b) {
    if (a.length !== b.length) return false;
    var diff = 0;
    for (var i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }

  var utf8 = new TextEncoder();

  function sha256(bytes) {
    return crypto.subtle.digest("SHA-256", bytes).then(function (digest) {
      return new Uint8Array(digest);
    });
  }

  var LEAF = new Uint8Array([0]);
  var NODE = new Uint8Array([1]);

  // --- formats ---------------------------------------------------------------------------------

  // "<name>+<8 hex key id>+<base64(0x01 ‖ 32-byte Ed25519 key)>"; the base64 may hold '+'.
  function parseVerifierKey(vkey) {
    var first = vkey.indexOf("+");
    var second = vkey.indexOf("+", first + 1);
    if (first < 1 || second < 0) throw new Error("malformed verifier key");
    var name = vkey.slice(0, first);
    var keyId = vkey.slice(first + 1, second);
    var raw = fromBase64(vkey.slice(second + 1));
    if (!/^[0-9a-f]{8}$/i.test(keyId) || raw.length !== 33 || raw[0] !== 1) {
      throw new Error("malformed verifier key");
    }
    return { name: name, keyId: keyId.toLowerCase(), typed: raw, publicKey: raw.slice(1) };
  }

  // A signed note: text up to and including the newline before the last blank line, then
  // signature lines "— <name> <base64(key id ‖ signature)>".
  function parseNote(note) {
    var split = note.lastIndexOf("\n\n");
    if (split < 0 || note.charAt(note.length - 1) !== "\n") throw new Error("malformed note");
    var text = note.slice(0, split + 1);
    var signatures = note.slice(split + 2, -1).split("\n").map(function (line) {
      var parts = line.split(" ");
      if (parts.length !== 3 || parts[0] !== "\u2014") throw new Error("malformed signature");
      var blob = fromBase64(parts[2]);
      if (blob.length < 5) throw new Error("malformed signature");
      return { name: parts[1], keyId: toHex(blob.slice(0, 4)), signature: blob.slice(4) };
    });
    var lines = text.slice(0, -1).split("\n");
    if (lines.length < 3 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) throw new Error("malformed");
    var root = fromBase64(lines[2]);
    if (root.length !== 32) throw new Error("malformed root");
    return {
      text: text,
      signatures: signatures,
      origin: lines[0],
      size: BigInt(lines[1]),
      root: root
    };
  }

  function bitLength(n) {
    return n === 0n ? 0 : n.toString(2).length;
  }

  function bitCount(n) {
    return n.toString(2).replace(/0/g, "").length;
  }

  // The exact length of an inclusion proof of leaf index in a tree of size (0 ≤ index < size).
  function inclusionProofLength(index, size) {
    var inner = bitLength(index ^ (size - 1n));
    return inner + bitCount(index >> BigInt(inner));
  }

  // RFC 9162 §2.1.3.2: the root the proof leads to from leaf, or null if the path does not end
  // exactly at the root (sn must reach 0 with the last hash, and not before).
  function rootFromInclusionProof(index, size, leaf, proof) {
    var fn = index;
    var sn = size - 1n;
    var r = Promise.resolve(leaf);
    var broken = false;
    proof.forEach(function (p) {
      if (broken) return;
      if (sn === 0n) {
        broken = true;
        return;
      }
      if ((fn & 1n) === 1n || fn === sn) {
        r = r.then(function (h) { return sha256(concat(NODE, p, h)); });
        if ((fn & 1n) === 0n) {
          while ((fn & 1n) === 0n && fn !== 0n) {
            fn >>= 1n;
            sn >>= 1n;
          }
        }
      } else {
        r = r.then(function (h) { return sha256(concat(NODE, h, p)); });
      }
      fn >>= 1n;
      sn >>= 1n;
    });
    if (broken || sn !== 0n) return Promise.resolve(null);
    return r;
  }

  // --- fetching --------------------------------------------------------------------------------

  function fetchOk(url, kind) {
    return fetch(url, { cache: "no-store", headers: { Accept: kind } }).then(
      function (response) {
        if (!response.ok) throw new Error(response.status + " " + response.statusText);
        return kind === "application/json" ? response.json() : response.text();
      },
      function (error) { throw new Error(error.message || String(error)); }
    ).catch(function (error) {
      error.url = url;
      throw error;
    });
  }

  // --- the checks ------------------------------------------------------------------------------

  function signatureCheck(key, checkpoint) {
    var line = checkpoint.signatures.filter(function (sig) {
      return sig.name === key.name && sig.keyId === key.keyId;
    })[0];
    var values = { name: key.name, keyid: key.keyId };
    if (!line || line.signature.length !== 64) {
      return Promise.resolve(report("signature", "fail", message("SignatureFail", values)));
    }
    return crypto.subtle.importKey("raw", key.publicKey, { name: "Ed25519" }, false, ["verify"])
      .then(
        function (publicKey) {
          return crypto.subtle.verify(
            { name: "Ed25519" }, publicKey, line.signature, utf8.encode(checkpoint.text)
          ).then(function (valid) {
            return valid
              ? report("signature", "pass", message("SignatureOk", values))
              : report("signature", "fail", message("SignatureFail", values));
          });
        },
        function (error) {
          // Browsers without Ed25519 in Web Crypto refuse the algorithm itself.
          if (error && (error.name === "NotSupportedError" || error.name === "SyntaxError")) {
            return report("signature", "skip", message("SignatureUnsupported"));
          }
          return report("signature", "fail", message("SignatureFail", values));
        }
      );
  }

  function inclusionChecks(index, checkpoint, doc, leaf) {
    var results = [];
    var size = checkpoint.size;
    var claimed = BigInt(doc.tree_size);
    if (claimed !== size || index >= size) {
      results.push(report("size", "fail", message("SizeFail", {
        index: index, claimed: claimed, size: size
      })));
      return Promise.resolve(results);
    }
    results.push(report("size", "pass", message("SizeOk", { index: index, size: size })));
    var proof;
    try {
      proof = doc.inclusion_proof.map(function (h) {
        var bytes = fromBase64(h);
        if (bytes.length !== 32) throw new Error("not a hash");
        return bytes;
      });
    } catch (error) {
      results.push(report("length", "fail", message("InclusionBadPath")));
      return Promise.resolve(results);
    }
    var expected = inclusionProofLength(index, size);
    var lengthValues = { count: proof.length, index: index, size: size, expected: expected };
    if (proof.length !== expected) {
      results.push(report("length", "fail", message("LengthFail", lengthValues)));
      return Promise.resolve(results);
    }
    results.push(report("length", "pass", message("LengthOk", lengthValues)));
    return rootFromInclusionProof(index, size, leaf, proof).then(function (root) {
      var expectedRoot = toBase64(checkpoint.root);
      if (root === null) {
        results.push(report("inclusion", "fail", message("InclusionBadPath")));
      } else if (equal(root, checkpoint.root)) {
        results.push(report("inclusion", "pass", message("InclusionOk", { root: expectedRoot })));
      } else {
        results.push(report("inclusion", "fail", message("InclusionFail", {
          computed: toBase64(root), root: expectedRoot
        })));
      }
      return results;
    });
  }

  function latestCheck(checkpoint, latestNote) {
    var url = data.checkpointUrl;
    var latest;
    try {
      latest = parseNote(latestNote);
    } catch (error) {
      return report("latest", "fail", message("LatestFail", { url: url, size: "?", root: "?" }));
    }
    var values = { url: url, size: latest.size, root: toBase64(latest.root) };
    if (latest.origin === checkpoint.origin && latest.size === checkpoint.size &&
        equal(latest.root, checkpoint.root)) {
      return report("latest", "pass", message("LatestSame", values));
    }
    if (latest.origin === checkpoint.origin && latest.size > checkpoint.size) {
      return report("latest", "info", message("LatestNewer", values));
    }
    return report("latest", "fail", message("LatestFail", values));
  }

  function run() {
    list.textContent = "";
    verdict.textContent = message("Running");
    verdict.dataset.result = "running";
    verdict.className = "verify-verdict";
    button.disabled = true;
    var index = BigInt(data.index);
    var results = [];
    function note(result) { results.push(result); return result; }

    if (!window.crypto || !crypto.subtle || typeof BigInt === "undefined") {
      report("crypto", "fail", message("NoCrypto"));
      conclude("fail", message("VerdictFail"));
      button.disabled = false;
      return Promise.resolve();
    }

    var key;
    var keyCheck;
    try {
      key = parseVerifierKey(data.vkey);
      keyCheck = sha256(concat(utf8.encode(key.name), new Uint8Array([0x0a]), key.typed))
        .then(function (digest) {
          return toHex(digest.slice(0, 4)) === key.keyId;
        });
    } catch (error) {
      keyCheck = Promise.resolve(false);
    }

    return Promise.all([
      keyCheck,
      fetchOk(data.proofUrl, "application/json"),
      fetchOk(data.checkpointUrl, "text/plain")
    ]).then(function (fetched) {
      var keyOk = fetched[0];
      var doc = fetched[1];
      var latestNote = fetched[2];
      note(keyOk
        ? report("key", "pass", message("KeyOk", { keyid: key.keyId }))
        : report("key", "fail", message("KeyFail")));

      var entryText = typeof doc.entry === "string" ? doc.entry : "";
      var shown = document.getElementById("entry-text");
      var samePage = String(doc.index) === data.index &&
        (!shown || shown.textContent === entryText);
      note(samePage
        ? report("page", "pass", message("PageOk", { index: data.index }))
        : report("page", "fail", message("PageFail")));

      var claimed;
      try {
        claimed = fromBase64(doc.leaf_hash);
      } catch (error) {
        claimed = new Uint8Array(0);
      }
      return sha256(concat(LEAF, utf8.encode(entryText))).then(function (leaf) {
        note(equal(leaf, claimed)
          ? report("leaf", "pass", message("LeafOk", { hash: toBase64(leaf) }))
          : report("leaf", "fail", message("LeafFail", {
            computed: toBase64(leaf), claimed: doc.leaf_hash
          })));

        var checkpoint;
        try {
          checkpoint = parseNote(String(doc.checkpoint));
          if (!key || checkpoint.origin !== key.name) throw new Error("another log");
        } catch (error) {
          note(report("checkpoint", "fail", message("CheckpointFail", {
            name: key ? key.name : "?"
          })));
          return null;
        }
        note(report("checkpoint", "pass", message("CheckpointOk", {
          origin: checkpoint.origin, size: checkpoint.size, root: toBase64(checkpoint.root)
        })));
        return signatureCheck(key, checkpoint).then(function (signed) {
          note(signed);
          // The leaf computed from the entry, not the one claimed, must lead to the root.
          return inclusionChecks(index, checkpoint, doc, leaf);
        }).then(function (inclusion) {
          inclusion.forEach(note);
          note(latestCheck(checkpoint, latestNote));
        });
      });
    }, function (error) {
      note(report("fetch", "fail", message("FetchFailed", {
        url: error.url || "", error: error.message || String(error)
      })));
    }).then(function () {
      if (results.indexOf("fail") >= 0) {
        conclude("fail", message("VerdictFail"));
      } else if (results.indexOf("skip") >= 0) {
        conclude("partial", message("VerdictPartial"));
      } else {
        conclude("pass", message("VerdictOk", { index: data.index }));
      }
    }, function (error) {
      report("error", "fail", String(error && error.message || error));
      conclude("fail", message("VerdictFail"));
    }).then(function () {
      button.disabled = false;
    });
  }

  button.hidden = false;
  button.addEventListener("click", run);
  run();
})();
