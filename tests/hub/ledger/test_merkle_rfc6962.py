"""The hub's Merkle tree against the RFC 6962 reference vectors, and mutated proofs.

Vectors: transparency-dev/merkle (the Go successor of google/certificate-transparency's merkle
code), file proof/verify_test.go at commit 02194e9afb6c1d95b5381350007963aa70fff472: `leaves`,
`roots` (sizes 1..8), `inclusionProofs` (1-based leaf numbers) and `consistencyProofs`.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.ledger import merkle

LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (1-based leaf, tree size, audit path)
INCLUSION = [
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
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        2,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (old size, new size, proof)
CONSISTENCY = [
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
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]


def _hex(path: list[bytes]) -> list[str]:
    return [p.hex() for p in path]


@pytest.mark.parametrize("size", range(1, 9))
def test_merkle_root_matches_reference_for_sizes_1_to_8(size: int) -> None:
    """An outsider's RFC 6962 tool computes the same root over the first `size` reference leaves."""
    assert merkle.root(HASHES[:size]).hex() == ROOTS[size - 1]


def test_merkle_empty_tree_root_is_sha256_of_nothing() -> None:
    """A checkpoint of an empty log carries the RFC 6962 empty root, SHA-256("")."""
    assert merkle.root([]) == hashlib.sha256(b"").digest()


def test_merkle_tree_builder_gives_every_prefix_root() -> None:
    """The incremental builder used by `floorledger verify` agrees with the reference at every size."""
    builder = merkle.TreeBuilder()
    for size, leaf in enumerate(HASHES, start=1):
        builder.append(leaf)
        assert builder.root().hex() == ROOTS[size - 1]


@pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION)
def test_merkle_inclusion_proof_matches_reference_and_verifies(leaf: int, size: int, path: list[str]) -> None:
    """The hub produces the reference audit path, and the path verifies against the reference root."""
    produced = merkle.inclusion_proof(HASHES[:size], leaf - 1)
    assert _hex(produced) == path
    root = bytes.fromhex(ROOTS[size - 1])
    merkle.verify_inclusion(HASHES[leaf - 1], leaf - 1, size, produced, root)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_merkle_consistency_proof_matches_reference_and_verifies(
    old: int, new: int, proof: list[str]
) -> None:
    """A later checkpoint provably extends an earlier one: reference proofs are produced and accepted."""
    produced = merkle.consistency_proof(HASHES[:new], old)
    assert _hex(produced) == proof
    merkle.verify_consistency(
        old, new, bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1]), produced
    )


@pytest.mark.parametrize(("leaf", "size", "path"), [v for v in INCLUSION if v[2]])
def test_merkle_reference_proofs_fail_when_mutated(leaf: int, size: int, path: list[str]) -> None:
    """Each mutation of a reference proof (bit flip, wrong index, truncated, extended) is refused."""
    root = bytes.fromhex(ROOTS[size - 1])
    good = [bytes.fromhex(p) for p in path]
    index = leaf - 1
    mutations: list[tuple[int, int, list[bytes]]] = [
        (index + 1, size, good),
        (index ^ 2, size, good),
        (index, size * 2, good),
        (index, size // 2, good),
        (index, size, good[:-1]),
        (index, size, [*good, root]),
        (index, size, [root, *good]),
    ]
    if index > 0:
        mutations.append((index - 1, size, good))
    for i in range(len(good)):
        flipped = list(good)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        mutations.append((index, size, flipped))
    for m_index, m_size, m_path in mutations:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(HASHES[index], m_index, m_size, m_path, root)


trees = st.lists(st.binary(max_size=40), min_size=1, max_size=70, unique=True)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), leaves=trees)
def test_merkle_every_byte_flip_of_any_path_element_fails(data: st.DataObject, leaves: list[bytes]) -> None:
    """Flipping any bit of any byte of any audit-path element makes the proof fail."""
    hashes = [merkle.leaf_hash(x) for x in leaves]
    index = data.draw(st.integers(0, len(hashes) - 1))
    path = merkle.inclusion_proof(hashes, index)
    root = merkle.root(hashes)
    merkle.verify_inclusion(hashes[index], index, len(hashes), path, root)
    if not path:
        return
    element = data.draw(st.integers(0, len(path) - 1))
    byte = data.draw(st.integers(0, merkle.HASH_SIZE - 1))
    bit = data.draw(st.integers(0, 7))
    mutated = list(path)
    raw = bytearray(mutated[element])
    raw[byte] ^= 1 << bit
    mutated[element] = bytes(raw)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(hashes[index], index, len(hashes), mutated, root)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), leaves=trees)
def test_merkle_proof_for_another_index_or_leaf_fails(data: st.DataObject, leaves: list[bytes]) -> None:
    """A genuine path presented for any other leaf index, another leaf, or with a path element
    dropped or added, does not lead to the root."""
    hashes = [merkle.leaf_hash(x) for x in leaves]
    size = len(hashes)
    index = data.draw(st.integers(0, size - 1))
    path = merkle.inclusion_proof(hashes, index)
    root = merkle.root(hashes)
    other = data.draw(st.integers(-1, size + 1).filter(lambda i: i != index))
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(hashes[index], other, size, path, root)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(merkle.leaf_hash(b"forged" + leaves[index]), index, size, path, root)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(hashes[index], index, size, [*path, root], root)
    if path:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(hashes[index], index, size, path[:-1], root)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), leaves=trees)
def test_merkle_proof_against_another_size_root_fails(data: st.DataObject, leaves: list[bytes]) -> None:
    """A path claimed for another tree size cannot reach that size's root: the size is bound through
    the root the hub signs with it."""
    hashes = [merkle.leaf_hash(x) for x in leaves]
    size = len(hashes)
    index = data.draw(st.integers(0, size - 1))
    path = merkle.inclusion_proof(hashes, index)
    other = data.draw(st.integers(index + 1, size + 5).filter(lambda n: n != size))
    extended = hashes + [merkle.leaf_hash(b"extra%d" % i) for i in range(max(0, other - size))]
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(hashes[index], index, other, path, merkle.root(extended[:other]))


@settings(max_examples=100, deadline=None)
@given(data=st.data(), leaves=trees)
def test_merkle_consistency_round_trip_and_flip_fails(data: st.DataObject, leaves: list[bytes]) -> None:
    """Any earlier tree is provably a prefix of a later one; a flipped proof byte breaks the proof."""
    hashes = [merkle.leaf_hash(x) for x in leaves]
    old = data.draw(st.integers(0, len(hashes)))
    proof = merkle.consistency_proof(hashes, old)
    old_root, new_root = merkle.root(hashes[:old]), merkle.root(hashes)
    merkle.verify_consistency(old, len(hashes), old_root, new_root, proof)
    if proof:
        element = data.draw(st.integers(0, len(proof) - 1))
        raw = bytearray(proof[element])
        raw[data.draw(st.integers(0, 31))] ^= 1 << data.draw(st.integers(0, 7))
        mutated = [*proof[:element], bytes(raw), *proof[element + 1 :]]
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(old, len(hashes), old_root, new_root, mutated)
