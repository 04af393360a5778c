"""emo-r3 agents: GRPO training drivers (TRL, OpenRLHF), the reward server, adapters and CLI.

Heavy libraries (trl, openrlhf, fastapi) are imported by the modules that use them.
"""
