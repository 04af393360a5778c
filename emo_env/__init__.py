"""emo-r3 Gymnasium environments (EmoReason-v0, EmoReflect-v0) and benchmark datasets."""
