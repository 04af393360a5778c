"""The environment classes: EmoReason (single turn), EmoReflect (two turns), the vector env."""
