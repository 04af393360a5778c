"""Judges for tests: they answer from a table keyed by (kind, sample index)."""


class RecordingJudge:
    """Answers request k of kind K with ``answers[(K, sample)]`` and records prompts.

    Requests arrive in sample order, consistency before coherence for each sample.
    """

    def __init__(self, answers):
        self.answers = answers
        self.calls = 0
        self.prompts = {}

    def __call__(self, requests):
        self.calls += 1
        counters = {"consistency": 0, "coherence": 0}
        out = []
        for req in requests:
            i = counters[req.kind]
            counters[req.kind] += 1
            self.prompts[(req.kind, i)] = req.prompt
            out.append(self.answers[(req.kind, i)])
        return out
