"""Training's one owner: a scikit-learn Pipeline, features -> heads.

``export.export`` turns its two fitted steps, once, into the numpy runtime a
:class:`~rejectlens.model.Classifier` holds; scikit-learn is imported here,
never at classification time.
"""

from __future__ import annotations

from typing import Any

from sklearn.pipeline import Pipeline

from .labels import JOB_GATE, head_targets
from .reason_sentences import veto_thresholds
from .thresholds import tune_gate

__all__ = ["RejectionPipeline"]


class RejectionPipeline(Pipeline):
    """``[("features", EmailVectorizer), ("heads", RejectionHeads)]`` fit as one estimator.

    Fit parameters go to their step the scikit-learn way (``features__decisions``,
    ``features__is_rejection``, ``features__groups``, ``heads__groups``,
    ``heads__sample_weight``); ``y`` maps a label field to one value per row.

    Two things happen between and after the steps that a plain ``Pipeline``
    cannot express, and they are why ``fit`` is ours:

    - ``job_words_only``: the ``job_related`` head reads the word columns
      only (cue and decision columns describe rejections, not job mail), and
      how many word columns there are is known once the features are fit;
    - ``tune_job_gate``: the job gate's threshold is tuned on the training
      rows' features as ``fit_transform`` gave them (out-of-fold decision
      scores), which a second ``transform`` would not reproduce.

    Everything else (``predict_proba``, ``named_steps``, ``get_params``,
    ``clone``) is scikit-learn's.
    """

    # memory and verbose only: Pipeline's other arguments are newer than the
    # scikit-learn releases this package supports.
    def __init__(self, steps, *, job_words_only: bool = True, tune_job_gate: bool = True,
                 memory=None, verbose: bool = False):
        super().__init__(steps, memory=memory, verbose=verbose)
        self.job_words_only = job_words_only
        self.tune_job_gate = tune_job_gate

    def fit(self, X, y: Any = None, **params: Any) -> RejectionPipeline:
        if len(self.steps) != 2:
            raise ValueError(f"a RejectionPipeline has two steps (features, heads); found {len(self.steps)}")
        (f_name, features), (h_name, heads) = self.steps
        by_step: dict[str, dict[str, Any]] = {f_name: {}, h_name: {}}
        for key, value in params.items():
            step, _, name = key.partition("__")
            if step not in by_step or not name:
                raise TypeError(f"fit parameter {key!r}: expected '<step>__<name>' with step "
                                f"{f_name!r} or {h_name!r} (e.g. {f_name}__groups)")
            by_step[step][name] = value
        Xt = features.fit_transform(X, y, **by_step[f_name])
        # The reason-support columns end every row and no head reads them
        # (rejectlens.reason_sentences): each head reads the columns before them.
        n_support = len(getattr(features, "reason_names_", ()))
        columns = (dict.fromkeys(head_targets(y), Xt.shape[1] - n_support)
                   if n_support and y is not None else {})
        if self.job_words_only:
            columns["job_related"] = len(features.words_.vocabulary_ids_)
        heads.set_params(head_columns=columns or None)
        heads.fit(Xt, y, **by_step[h_name])
        if self.tune_job_gate and y is not None:
            gate = tune_gate(heads, Xt, y.get("is_rejection", [None] * len(X)))
            if gate is not None:
                heads.thresholds_[JOB_GATE] = gate
        if n_support and y is not None:
            veto = veto_thresholds(heads.oof_, features.reason_oof_support_, heads.thresholds_)
            features.reason_veto_ = [veto.get(n, 0.0) for n in features.reason_names_]
        return self
