"""RFC 9162 Merkle core: known vectors, the stored-hash layout, and properties against the RFC.

The reference functions below are the recursive definitions of RFC 6962 §2.1 written out
naively (memoised on leaf ranges), kept apart from the implementation under test.
"""

from __future__ import annotations

import hashlib
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weh.ledger import merkle
from weh.ledger.merkle import (
    EMPTY_ROOT,
    ProofError,
    Tree,
    consistency_proof,
    consistency_proof_length,
    inclusion_proof,
    inclusion_proof_length,
    leaf_hash,
    node_hash,
    split_stored_hash_index,
    stored_hash_count,
    stored_hash_index,
    stored_hashes_for_record,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

# --- Certificate Transparency test vectors (transparency-dev/merkle testonly, CT merkle tests) --

CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = {  # tree size -> root
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
# Every complete-subtree hash of the 8-leaf tree, by level then index.
CT_NODES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
CT_INCLUSION = [  # (0-based leaf index, tree size, audit path)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CT_CONSISTENCY = [  # (first size, second size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def _hexes(hashes: list[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


def _ct_tree(size: int = 8) -> Tree:
    tree = Tree()
    tree.extend(CT_LEAVES[:size])
    return tree


# --- the RFC's recursive definitions, over a fixed leaf list ---------------------------------

MAX_SIZE = 4_100
LEAVES = [b"entry %d" % i for i in range(MAX_SIZE)]  # distinct, so a wrong index never matches


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def ref_mth(lo: int, hi: int) -> bytes:
    n = hi - lo
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + LEAVES[lo]).digest()
    k = _k(n)
    return hashlib.sha256(b"\x01" + ref_mth(lo, lo + k) + ref_mth(lo + k, hi)).digest()


def ref_path(m: int, lo: int, hi: int) -> list[bytes]:
    n = hi - lo
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*ref_path(m, lo, lo + k), ref_mth(lo + k, hi)]
    return [*ref_path(m - k, lo + k, hi), ref_mth(lo, lo + k)]


def ref_subproof(m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if whole else [ref_mth(lo, hi)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, lo, lo + k, whole), ref_mth(lo + k, hi)]
    return [*ref_subproof(m - k, lo + k, hi, False), ref_mth(lo, lo + k)]


BIG = Tree()
BIG.extend(LEAVES)


def _flip(proof: list[bytes], position: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[position])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:position], bytes(changed), *proof[position + 1 :]]


# --- hashing and known vectors ---------------------------------------------------------------


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )
    assert EMPTY_ROOT.hex() == CT_ROOTS[0]
    assert merkle.root([]) == EMPTY_ROOT
    assert Tree().root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_ct_roots(size: int) -> None:
    tree = _ct_tree()
    assert tree.root(size).hex() == CT_ROOTS[size]
    assert merkle.root([leaf_hash(x) for x in CT_LEAVES[:size]]).hex() == CT_ROOTS[size]
    assert _ct_tree(size).root().hex() == CT_ROOTS[size]


def test_ct_stored_hash_layout() -> None:
    # Go's tlog order: each hash right after the leaf that completes it.
    n = CT_NODES
    expected = [
        n[0][0], n[0][1], n[1][0], n[0][2], n[0][3], n[1][1], n[2][0],
        n[0][4], n[0][5], n[1][2], n[0][6], n[0][7], n[1][3], n[2][1], n[3][0],
    ]  # fmt: skip
    tree = _ct_tree()
    assert stored_hash_count(8) == 15
    assert _hexes(tree.read_hashes(list(range(15)))) == expected
    for level, row in enumerate(CT_NODES):
        for index, value in enumerate(row):
            assert tree.read_hashes([stored_hash_index(level, index)])[0].hex() == value


@pytest.mark.parametrize(("index", "size", "path"), CT_INCLUSION)
def test_ct_inclusion_proofs(index: int, size: int, path: list[str]) -> None:
    tree = _ct_tree()
    assert _hexes(tree.inclusion_proof(index, size)) == path
    verify_inclusion(
        index, size, leaf_hash(CT_LEAVES[index]), [bytes.fromhex(h) for h in path], tree.root(size)
    )


@pytest.mark.parametrize(("m", "n", "proof"), CT_CONSISTENCY)
def test_ct_consistency_proofs(m: int, n: int, proof: list[str]) -> None:
    tree = _ct_tree()
    assert _hexes(tree.consistency_proof(m, n)) == proof
    verify_consistency(m, n, [bytes.fromhex(h) for h in proof], tree.root(m), tree.root(n))


def test_rfc6962_seven_leaf_example() -> None:
    # RFC 6962 §2.1.3: leaves d0…d6 under a, b, c, d, e, f, j; g, h, i; k, l.
    tree = _ct_tree(7)
    a, b, c, d, e, f, j = (tree.leaf_hash(i) for i in range(7))
    g, h, i = node_hash(a, b), node_hash(c, d), node_hash(e, f)
    k, l = node_hash(g, h), node_hash(i, j)  # noqa: E741 - the RFC's own name
    assert tree.root() == node_hash(k, l)
    assert tree.inclusion_proof(0) == [b, h, l]
    assert tree.inclusion_proof(3) == [c, g, l]
    assert tree.inclusion_proof(4) == [f, j, k]
    assert tree.inclusion_proof(6) == [i, k]
    assert tree.consistency_proof(3) == [c, d, g, l]
    assert tree.consistency_proof(4) == [l]
    assert tree.consistency_proof(6) == [i, j, k]


# --- the stored-hash layout ------------------------------------------------------------------


def _simulated_layout(records: int) -> list[tuple[int, int]]:
    """(level, n) of each stored hash, in write order, by replaying appends."""
    order: list[tuple[int, int]] = []
    for n in range(records):
        order.append((0, n))
        level, m = 0, n
        while m & 1:
            level += 1
            m >>= 1
            order.append((level, m))
    return order


def test_stored_hash_index_matches_the_append_order() -> None:
    order = _simulated_layout(3_000)
    for position, (level, n) in enumerate(order):
        assert stored_hash_index(level, n) == position
        assert split_stored_hash_index(position) == (level, n)
    for size in range(200):
        assert stored_hash_count(size) == len(_simulated_layout(size))
    assert stored_hash_count(3_000) == len(order)


@given(st.integers(0, 60), st.integers(0, 2**40))
def test_split_inverts_stored_hash_index_everywhere(level: int, n: int) -> None:
    assert split_stored_hash_index(stored_hash_index(level, n)) == (level, n)


def test_stored_hashes_for_record_builds_the_same_storage() -> None:
    storage: list[bytes] = []
    reads: list[list[int]] = []

    def read(indexes: list[int]) -> list[bytes]:
        reads.append(indexes)
        return [storage[i] for i in indexes]

    for n in range(1_000):
        assert len(storage) == stored_hash_count(n)
        storage.extend(stored_hashes_for_record(n, leaf_hash(LEAVES[n]), read))
    assert storage == BIG.read_hashes(list(range(stored_hash_count(1_000))))
    # One batched read per record that completes a subtree (every odd n), none otherwise.
    assert len(reads) == 500
    assert sum(len(r) for r in reads) == stored_hash_count(1_000) - 1_000


def test_proofs_read_once_and_logarithmically() -> None:
    calls: list[int] = []

    def read(indexes: list[int]) -> list[bytes]:
        calls.append(len(indexes))
        return BIG.read_hashes(indexes)

    size = MAX_SIZE - 3
    for index in (0, 1, 2_047, 2_048, size - 1):
        calls.clear()
        inclusion_proof(index, size, read)
        assert len(calls) == 1
        assert calls[0] <= 2 * size.bit_length()
    for m in (1, 5, 2_048, 3_001, size - 1):
        calls.clear()
        consistency_proof(m, size, read)
        assert len(calls) == 1
        assert calls[0] <= 2 * size.bit_length()
    calls.clear()
    assert tree_root(size, read) == ref_mth(0, size)
    assert calls == [size.bit_count()]


def test_tree_rebuilds_from_stored_hashes() -> None:
    size = 777
    stored = BIG.read_hashes(list(range(stored_hash_count(size))))
    tree = Tree.from_stored_hashes(stored, size)
    assert tree.root() == ref_mth(0, size)
    tree.append(LEAVES[size])
    assert tree.root() == ref_mth(0, size + 1)
    with pytest.raises(ValueError, match="stored hashes"):
        Tree.from_stored_hashes(stored[:-1], size)


def test_append_and_extend_agree() -> None:
    one, many, hashed = Tree(), Tree(), Tree()
    for i, entry in enumerate(LEAVES[:300]):
        assert one.append(entry) == i
        assert hashed.append_hash(leaf_hash(entry)) == i
    assert many.extend(LEAVES[:300]) == 300
    assert one.root() == many.root() == hashed.root() == ref_mth(0, 300)
    assert len(one) == one.size == 300


def test_extend_keeps_a_consistent_state_when_an_entry_is_not_bytes() -> None:
    tree = Tree()
    with pytest.raises(TypeError):
        tree.extend([LEAVES[0], LEAVES[1], "not bytes", LEAVES[3]])  # type: ignore[list-item]
    assert tree.size == 2
    assert tree.root() == ref_mth(0, 2)
    tree.extend(LEAVES[2:5])
    assert tree.root() == ref_mth(0, 5)


def test_argument_errors() -> None:
    with pytest.raises(ValueError, match="outside"):
        BIG.inclusion_proof(5, 5)
    with pytest.raises(ValueError, match="outside"):
        BIG.root(MAX_SIZE + 1)
    with pytest.raises(ValueError, match="non-empty"):
        BIG.consistency_proof(0, 5)
    with pytest.raises(ValueError, match="larger"):
        BIG.consistency_proof(6, 5)
    assert BIG.consistency_proof(5, 5) == []
    with pytest.raises(IndexError):
        BIG.leaf_hash(MAX_SIZE)
    with pytest.raises(IndexError):
        BIG.read_hashes([-1])
    with pytest.raises(ValueError, match="32-byte"):
        Tree().append_hash(b"short")
    with pytest.raises(ValueError, match="negative"):
        stored_hash_index(-1, 0)
    with pytest.raises(ValueError, match="hash reader"):
        inclusion_proof(0, 4, lambda indexes: [])


# --- exhaustive small trees and properties against the RFC -----------------------------------


def test_every_proof_of_every_small_tree() -> None:
    # Past 128, so that every path shape appears with two levels of right border above it.
    for size in range(1, 131):
        root_n = ref_mth(0, size)
        assert BIG.root(size) == root_n
        for index in range(size):
            proof = BIG.inclusion_proof(index, size)
            assert proof == ref_path(index, 0, size)
            assert len(proof) == inclusion_proof_length(index, size)
            verify_inclusion(index, size, BIG.leaf_hash(index), proof, root_n)
        for m in range(1, size + 1):
            proof = BIG.consistency_proof(m, size)
            assert proof == ref_subproof(m, 0, size, True)
            assert len(proof) == consistency_proof_length(m, size)
            verify_consistency(m, size, proof, ref_mth(0, m), root_n)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, MAX_SIZE))
def test_roots_match_the_rfc(size: int) -> None:
    expected = ref_mth(0, size)
    assert BIG.root(size) == expected
    assert merkle.root(BIG.leaf_hash(i) for i in range(size)) == expected


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_inclusion_proofs_verify_and_tampering_fails(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, MAX_SIZE), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root_n = ref_mth(0, size)
    leaf = BIG.leaf_hash(index)
    proof = BIG.inclusion_proof(index, size)
    assert proof == ref_path(index, 0, size)
    verify_inclusion(index, size, leaf, proof, root_n)

    if proof:
        position = data.draw(st.integers(0, len(proof) - 1), label="position")
        bit = data.draw(st.integers(0, 255), label="bit")
        with pytest.raises(ProofError):
            verify_inclusion(index, size, leaf, _flip(proof, position, bit), root_n)
        with pytest.raises(ProofError, match="must have"):
            verify_inclusion(index, size, leaf, proof[:-1], root_n)
    with pytest.raises(ProofError, match="must have"):
        verify_inclusion(index, size, leaf, [*proof, leaf], root_n)
    with pytest.raises(ProofError, match="must have"):
        verify_inclusion(index, size, leaf, [leaf, *proof], root_n)
    if size > 1:
        other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index), label="other")
        with pytest.raises(ProofError):
            verify_inclusion(other, size, leaf, proof, root_n)
        with pytest.raises(ProofError):
            verify_inclusion(index, size, BIG.leaf_hash(other), proof, root_n)
    wrong_size = data.draw(
        st.integers(index + 1, MAX_SIZE).filter(lambda s: s != size), label="wrong_size"
    )
    with pytest.raises(ProofError):
        verify_inclusion(index, wrong_size, leaf, proof, ref_mth(0, wrong_size))
    with pytest.raises(ProofError, match="not below"):
        verify_inclusion(size, size, leaf, proof, root_n)
    with pytest.raises(ProofError):
        verify_inclusion(index, size, leaf, proof, ref_mth(0, size - 1))


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_consistency_proofs_verify_and_tampering_fails(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, MAX_SIZE), label="n")
    m = data.draw(st.integers(1, n - 1), label="m")
    root_m, root_n = ref_mth(0, m), ref_mth(0, n)
    proof = BIG.consistency_proof(m, n)
    assert proof == ref_subproof(m, 0, n, True)
    verify_consistency(m, n, proof, root_m, root_n)

    position = data.draw(st.integers(0, len(proof) - 1), label="position")
    bit = data.draw(st.integers(0, 255), label="bit")
    with pytest.raises(ProofError):
        verify_consistency(m, n, _flip(proof, position, bit), root_m, root_n)
    with pytest.raises(ProofError, match=r"must have|is empty"):
        verify_consistency(m, n, proof[:-1], root_m, root_n)
    with pytest.raises(ProofError, match="must have"):
        verify_consistency(m, n, [*proof, root_m], root_m, root_n)
    with pytest.raises(ProofError, match="must have"):
        verify_consistency(m, n, [root_m, *proof], root_m, root_n)
    with pytest.raises(ProofError):
        verify_consistency(m, n, proof, root_n, root_n)
    with pytest.raises(ProofError):
        verify_consistency(m, n, proof, root_m, root_m)
    if n > 2:
        other_m = data.draw(st.integers(1, n - 1).filter(lambda x: x != m), label="other_m")
        with pytest.raises(ProofError):
            verify_consistency(other_m, n, proof, ref_mth(0, other_m), root_n)
    other_n = data.draw(st.integers(m + 1, MAX_SIZE).filter(lambda x: x != n), label="other_n")
    with pytest.raises(ProofError):
        verify_consistency(m, other_n, proof, root_m, ref_mth(0, other_n))


def test_consistency_edge_rules() -> None:
    root_5, root_6 = ref_mth(0, 5), ref_mth(0, 6)
    verify_consistency(5, 5, [], root_5, root_5)
    with pytest.raises(ProofError, match="must be empty"):
        verify_consistency(5, 5, [root_5], root_5, root_5)
    with pytest.raises(ProofError, match="roots differ"):
        verify_consistency(5, 5, [], root_5, root_6)
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 5, [], EMPTY_ROOT, root_5)
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    with pytest.raises(ProofError, match="larger"):
        verify_consistency(6, 5, BIG.consistency_proof(5, 6), root_6, root_5)
    with pytest.raises(ProofError, match="is empty"):
        verify_consistency(5, 6, [], root_5, root_6)
    with pytest.raises(ProofError, match="negative"):
        verify_consistency(-1, 6, [], root_5, root_6)


def test_hashes_must_be_32_bytes() -> None:
    proof = BIG.inclusion_proof(3, 10)
    root_10 = ref_mth(0, 10)
    with pytest.raises(ProofError, match="proof hash 1"):
        verify_inclusion(3, 10, BIG.leaf_hash(3), [proof[0], proof[1][:31], *proof[2:]], root_10)
    with pytest.raises(ProofError, match="leaf hash"):
        verify_inclusion(3, 10, b"x", proof, root_10)
    with pytest.raises(ProofError, match="expected root"):
        verify_inclusion(3, 10, BIG.leaf_hash(3), proof, root_10 + b"\x00")
    with pytest.raises(ProofError, match="negative"):
        verify_inclusion(-1, 10, BIG.leaf_hash(3), proof, root_10)
    consistency = BIG.consistency_proof(3, 10)
    with pytest.raises(ProofError, match="first root"):
        verify_consistency(3, 10, consistency, b"", root_10)


def test_proof_error_is_a_value_error() -> None:
    assert issubclass(ProofError, ValueError)
