"""The batch loop of an evaluation: ask the pending samples, score them, append the records.

:class:`BatchJob` walks the samples that have no record yet in batches, builds each
prompt with the run's :class:`~agents.common.prompts.PromptSettings` (the sample's
position in the split picks a one-shot example, as in training), gets the responses
from the backend (or the responses file), scores them and appends the records at once.
Records hold ``prompt`` (the question, last user turn) and, for an in-process model,
``model_input``: the exact text the model read, chat template applied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agents.common.prompts import PromptSettings
from agents.evaluation.generate import build_messages
from agents.evaluation.runs import ResultsFile
from agents.evaluation.scoring import score_responses
from rewards.errors import InvalidInputError
from rewards.rubric import Rubric

__all__ = ["BatchJob"]


@dataclass
class BatchJob:
    """What one evaluation asks and how it scores (see :func:`~agents.evaluation.evaluate`)."""

    dataset: Any
    ids: Sequence[str]
    backend: Callable | None
    responses: Mapping[str, str] | None
    prompt: PromptSettings
    modality: str
    rubric: Rubric

    def run(
        self,
        results: ResultsFile,
        batch_size: int,
        *,
        progress: bool = True,
        on_batch: Callable[[int, list[dict[str, Any]]], None] | None = None,
    ) -> list[str]:
        """Do every sample without a record; returns the ids that got no response."""
        ids = self.ids
        failed: list[str] = []
        todo = results.pending(ids)
        if self.responses is not None:
            failed = [ids[i] for i in todo if ids[i] not in self.responses]
            todo = [i for i in todo if ids[i] in self.responses]
        bar = _bar(len(ids), len(ids) - len(todo) - len(failed), progress)
        for number, start in enumerate(range(0, len(todo), batch_size)):
            positions = todo[start : start + batch_size]
            done = self.batch(positions, failed)
            results.extend(done)
            bar.update(len(positions))
            if on_batch is not None:
                on_batch(number, done)
        bar.close()
        return failed

    def messages(self, row: Mapping[str, Any], position: int) -> list[dict[str, Any]]:
        """The conversation for the row at ``position`` of the split."""
        # a row without an image (text-only data such as "captions") is asked with its caption
        mode = (
            ("caption" if self.modality == "caption" else "image")
            if row.get("image") is not None
            else "caption"
        )
        return build_messages(row, modality=mode, prompt=self.prompt, index=position)

    def batch(self, positions: list[int], failed: list[str]) -> list[dict[str, Any]]:
        """Ask and score the rows at ``positions``; ids without a response go to ``failed``."""
        rows = [self.dataset[i] for i in positions]
        prompts = [self.messages(row, i) for row, i in zip(rows, positions, strict=True)]
        images = [row.get("image") for row in rows]
        inputs: list[str | None] = [None] * len(rows)
        if self.responses is not None:
            texts: list[str | None] = [self.responses[str(row["id"])] for row in rows]
        else:
            texts = self.backend(prompts, images)
            if len(texts) != len(rows):
                raise InvalidInputError(
                    f"The backend returned {len(texts)} responses for {len(rows)} prompts."
                )
            if hasattr(self.backend, "render"):
                inputs = list(self.backend.render(prompts, images))
        keep = [i for i, text in enumerate(texts) if text is not None]
        failed.extend(str(rows[i]["id"]) for i, text in enumerate(texts) if text is None)
        samples = [{**_meta(rows[i]), "prompt": _prompt_text(prompts[i])} for i in keep]
        records = score_responses(
            samples,
            [texts[i] for i in keep],
            template=self.prompt.template,
            rubric=self.rubric,
            images=[images[i] for i in keep],
        )
        if self.responses is None:
            for record, i in zip(records, keep, strict=True):
                record["model_input"] = inputs[i]
        return records


def _meta(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ("id", "label", "label_set", "dataset", "caption")}


def _prompt_text(messages: list[dict[str, Any]]) -> str:
    content = messages[-1]["content"]
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content if p.get("type") == "text")


def _bar(total: int, initial: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc="eval", unit="sample", disable=not enabled)
