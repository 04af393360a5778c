"""Registration does not depend on import order: every order, each in a fresh process."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

import emo_env

STEPS = {
    "emo_env": "import emo_env",
    "find_spec": "import importlib.util; assert importlib.util.find_spec('gymnasium')",
}
GYM_IMPORTS = ("import gymnasium", "import gymnasium.envs", "from gymnasium import spaces")
MAKE_ALL = (
    "import gymnasium as gym\n"
    "for env_id in {ids!r}:\n"
    "    env = gym.make(env_id)\n"
    "    obs, info = env.reset(seed=0)\n"
    "    print(env_id, env.spec.id, sorted(obs))\n"
)


def _cases():
    for gym_import in GYM_IMPORTS:
        for order in itertools.permutations(("emo_env", "find_spec", "gymnasium")):
            # Gymnasium imported before emo_env registers at once whatever the import form:
            # the other forms matter only when the import hook has to do the work.
            hooked = order.index("emo_env") < order.index("gymnasium")
            if gym_import == GYM_IMPORTS[0] or hooked:
                yield gym_import, order


def run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.mark.parametrize(("gym_import", "order"), list(_cases()))
def test_every_import_order_registers(gym_import, order):
    lines = [gym_import if step == "gymnasium" else STEPS[step] for step in order]
    code = "\n".join(lines) + "\n" + MAKE_ALL.format(ids=sorted(emo_env.ENV_IDS))
    printed = run(code).splitlines()
    assert printed == [
        "EmoReason-v0 EmoReason-v0 ['caption', 'image', 'prompt']",
        "EmoReflect-v0 EmoReflect-v0 ['caption', 'has_image', 'image', 'prompt', 'turn']",
    ]


def test_prefix_form_without_importing_emo_env():
    code = (
        "import sys, importlib.util\n"
        "importlib.util.find_spec('gymnasium')\n"
        "import gymnasium as gym\n"
        "assert 'emo_env' not in sys.modules\n"
        "for env_id in ('emo_env:EmoReason-v0', 'emo_env:EmoReflect-v0'):\n"
        "    env = gym.make(env_id)\n"
        "    print(env.spec.id, type(env.unwrapped).__name__)\n"
    )
    assert run(code).splitlines() == [
        "EmoReason-v0 EmoReasonEnv",
        "EmoReflect-v0 EmoReflectEnv",
    ]


def test_hook_is_transparent_and_removed_after_the_real_import():
    code = (
        "import sys, importlib.util, emo_env\n"
        "from emo_env._registration import _AfterGymnasium\n"
        "spec = importlib.util.find_spec('gymnasium')\n"
        "spec2 = importlib.util.find_spec('gymnasium')\n"
        "print(spec.name, spec.origin == spec2.origin, spec.loader.is_package('gymnasium'))\n"
        "print(any(isinstance(f, _AfterGymnasium) for f in sys.meta_path))\n"
        "import gymnasium as gym\n"
        "print(any(isinstance(f, _AfterGymnasium) for f in sys.meta_path))\n"
        "print(type(gym.__loader__).__name__, type(gym.__spec__.loader).__name__)\n"
        "emo_env._registration.install(); emo_env.register_envs()  # idempotent\n"
        "print(sorted(k for k in gym.registry if k.startswith('Emo')))\n"
    )
    assert run(code).splitlines() == [
        "gymnasium True True",
        "True",
        "False",
        "SourceFileLoader SourceFileLoader",
        "['EmoReason-v0', 'EmoReflect-v0']",
    ]
