"""Texts of the ledger's and the Merkle log's refusals (keys `ledger.`, `proof.`, `checkpoint.`).

Registered by the modules that raise them (`register()` at their import); the English texts are the
messages the command line and `verify` have always printed.
"""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    # hub.ledger.entries
    "ledger.not_v1": {"zh": "不是第 1 版台账条目", "en": "not a version 1 ledger entry"},
    "ledger.payload_not_object": {"zh": "payload：应为对象", "en": "payload: expected an object"},
    "ledger.unsignable": {"zh": "内容无法签名：{detail}", "en": "payload cannot be signed: {detail}"},
    "ledger.too_large": {
        "zh": "条目有 {size} 字节，上限为 {limit} 字节",
        "en": "entry is {size} bytes, the limit is {limit}",
    },
    "ledger.short_frame": {"zh": "数据帧比签名还短", "en": "frame is shorter than a signature"},
    "ledger.bad_entry": {"zh": "台账条目无效：{detail}", "en": "{detail}"},
    "ledger.bad_field": {"zh": "台账条目字段无效：{detail}", "en": "{detail}"},
    "ledger.append_race": {
        "zh": "无法写入台账：其他写入者一直抢先占用下一个序号",
        "en": "could not append to the ledger: other writers kept taking the next index",
    },
    # hub.ledger.merkle
    "proof.bad_hash": {
        "zh": "哈希值应为 64 位小写十六进制数字，收到 {got!r}",
        "en": "expected a hash as 64 lowercase hex digits, got {got!r}",
    },
    "proof.leaf_outside": {
        "zh": "叶 {index} 不在大小为 {size} 的树内",
        "en": "leaf {index} is outside a tree of {size}",
    },
    "proof.leaf_size": {"zh": "叶哈希必须为 32 字节", "en": "leaf hash must be 32 bytes"},
    "proof.path_element_size": {
        "zh": "路径中每个元素必须为 32 字节",
        "en": "every path element must be 32 bytes",
    },
    "proof.path_too_long": {"zh": "路径比树的高度还长", "en": "path is longer than the tree is high"},
    "proof.path_too_short": {"zh": "路径比树的高度短", "en": "path is shorter than the tree is high"},
    "proof.other_root": {"zh": "证明指向另一个根", "en": "the proof leads to a different root"},
    "proof.old_size_outside": {
        "zh": "旧大小 {old_size} 不在 0..{size} 之内",
        "en": "old size {old_size} is outside 0..{size}",
    },
    "proof.shrinks": {"zh": "日志从不缩小", "en": "a log never shrinks"},
    "proof.element_size": {
        "zh": "证明中每个元素必须为 32 字节",
        "en": "every proof element must be 32 bytes",
    },
    "proof.equal_sizes": {
        "zh": "大小相同时根必须相同且证明为空",
        "en": "equal sizes need equal roots and an empty proof",
    },
    "proof.empty_old_tree": {"zh": "旧树为空时证明必须为空", "en": "an empty old tree needs an empty proof"},
    "proof.empty": {"zh": "证明为空", "en": "empty proof"},
    "proof.too_long": {"zh": "证明比树的高度还长", "en": "proof is longer than the tree is high"},
    "proof.roots_not_joined": {"zh": "证明无法连接两个根", "en": "the proof does not join the two roots"},
    "proof.size_mismatch": {
        "zh": "证明针对大小为 {proof_size} 的树，检查点签署的是 {signed_size}",
        "en": "proof is for a tree of {proof_size}, the checkpoint signs {signed_size}",
    },
    # hub.ledger.checkpoints
    "checkpoint.not_a_proof": {"zh": "不是 FloorLedger 包含证明", "en": "not a FloorLedger inclusion proof"},
    "checkpoint.damaged_proof": {"zh": "包含证明已损坏：{detail}", "en": "damaged inclusion proof: {detail}"},
    "checkpoint.extend_race": {
        "zh": "无法扩展日志：其他写入者一直抢先占用后续的叶",
        "en": "could not extend the log: other writers kept taking the next leaves",
    },
    "checkpoint.not_yet": {
        "zh": "尚未包含在检查点中；请先生成检查点",
        "en": "not in a checkpoint yet; make a checkpoint first",
    },
}


def register() -> None:
    i18n.register(TEXTS)
