"""RFC 6962 Merkle tree hashing: roots, inclusion proofs (audit paths) and consistency proofs.

Leaves are hashed as SHA-256(0x00 || data) and interior nodes as SHA-256(0x01 || left || right), so
a leaf can never be passed off as a node (second-preimage protection). A tree of n leaves splits at
the largest power of two below n (RFC 6962 section 2.1); building bottom-up and carrying a lone
right-hand node up unchanged gives exactly that tree. Verification follows RFC 9162 section 2.1.3.2
and 2.1.4.2. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from hub.errors import HubError
from hub.ledger import texts

texts.register()

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(HubError, ValueError):
    """A proof that does not hold, or arguments no proof can answer."""


def hash_from_hex(text: object) -> bytes:
    """A hash from its one written form, 64 lowercase hex digits (`bytes.hex()`); `bytes.fromhex`
    alone would also take capitals, so a proof could change a character and still hold."""
    if not isinstance(text, str) or len(text) != 2 * HASH_SIZE or text.strip("0123456789abcdef"):
        raise ProofError("proof.bad_hash", got=str(text)[:20])
    return bytes.fromhex(text)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class TreeBuilder:
    """An append-only tree kept as its perfect subtrees (a compact range): the root of the first n
    leaves costs O(log n) at any n, so one pass over a log can check every checkpoint along the way."""

    __slots__ = ("_size", "_stack")

    def __init__(self) -> None:
        self._stack: list[bytes] = []  # roots of perfect subtrees, largest (leftmost) first
        self._size = 0

    @property
    def size(self) -> int:
        return self._size

    def append(self, leaf: bytes) -> None:
        """Add one leaf *hash* (see `leaf_hash`)."""
        node = leaf
        n = self._size
        while n & 1:  # each trailing one bit is a finished subtree of the same height: merge it
            node = node_hash(self._stack.pop(), node)
            n >>= 1
        self._stack.append(node)
        self._size += 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        node = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            node = node_hash(left, node)
        return node


def root(leaves: Iterable[bytes]) -> bytes:
    """MTH over leaf hashes; the empty tree's root is SHA-256 of nothing."""
    builder = TreeBuilder()
    builder.extend(leaves)
    return builder.root()


def _levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) & 1:
            above.append(below[-1])  # a lone right node moves up unchanged
        levels.append(above)
    return levels


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf `index` in the tree of all `leaves` (hashes), nearest sibling first."""
    if not 0 <= index < len(leaves):
        raise ProofError("proof.leaf_outside", index=index, size=len(leaves))
    path: list[bytes] = []
    i = index
    for level in _levels(leaves)[:-1]:
        sibling = i ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        i >>= 1
    return path


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes:
    """The root that `path` proves `leaf` (a leaf hash) is at `index` of; raises ProofError when the
    path cannot belong to a tree of `size` (wrong length, index out of range)."""
    if not 0 <= index < size:
        raise ProofError("proof.leaf_outside", index=index, size=size)
    if len(leaf) != HASH_SIZE:
        raise ProofError("proof.leaf_size")
    fn, sn = index, size - 1
    node = leaf
    for sibling in path:
        if len(sibling) != HASH_SIZE:
            raise ProofError("proof.path_element_size")
        if sn == 0:
            raise ProofError("proof.path_too_long")
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            node = node_hash(node, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof.path_too_short")
    return node


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes) -> None:
    """Raise ProofError unless `path` proves leaf hash `leaf` sits at `index` of the tree with that root."""
    if root_from_inclusion_proof(leaf, index, size, path) != expected_root:
        raise ProofError("proof.other_root")


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    # SUBPROOF(m, D[n], b) of RFC 6962 section 2.1.2
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), root(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), root(leaves[:k])]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """Proof that the tree of the first `old_size` leaves is a prefix of the tree of all `leaves`."""
    if not 0 <= old_size <= len(leaves):
        raise ProofError("proof.old_size_outside", old_size=old_size, size=len(leaves))
    if old_size in (0, len(leaves)):
        return []
    return _subproof(old_size, leaves, True)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ProofError unless `proof` shows tree (old_size, old_root) is a prefix of (new_size, new_root)."""
    if not 0 <= old_size <= new_size:
        raise ProofError("proof.shrinks")
    if any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("proof.element_size")
    if old_size == new_size:
        if proof or old_root != new_root:
            raise ProofError("proof.equal_sizes")
        return
    if old_size == 0:
        if proof:
            raise ProofError("proof.empty_old_tree")
        return
    if not proof:
        raise ProofError("proof.empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("proof.too_long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != old_root or sr != new_root:
        raise ProofError("proof.roots_not_joined")
