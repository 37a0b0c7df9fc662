"""The tags of the project corpus: the kinds of email each record stands for.

Every tag a written record may carry is listed here (the corpus check
refuses others); ``data/README.md`` says what each kind is.
"""

from __future__ import annotations

__all__ = [
    "ATS_STYLE_TAGS",
    "CONTRASTIVE_PAIR_TAGS",
    "CONTRAST_KIND_TAGS",
    "HARD_NEGATIVE_TAGS",
    "JOB_NON_REJECTION_TAGS",
    "KNOWN_TAGS",
    "NON_JOB_APPLICATION_TAGS",
    "NON_JOB_REFUSAL_TAGS",
    "NON_JOB_TAGS",
    "ORIGINS",
    "REJECTION_SHAPE_TAGS",
    "SPECIAL_REJECTION_TAGS",
]

HARD_NEGATIVE_TAGS: tuple[str, ...] = (
    "hn_ack_cant_reply",
    "hn_still_reviewing",
    "hn_on_hold_in_consideration",
    "hn_interview_regret_wording",
    "hn_assessment_invite",
    "hn_offer",
    "hn_recruiter_outreach",
    "hn_alert_newsletter",
    "hn_withdrawal_confirmed",
    "hn_new_invite_old_rejection_quoted",
)
SPECIAL_REJECTION_TAGS: tuple[str, ...] = (
    "sp_other_role_interview",
    "sp_offer_withdrawn",
    "sp_forwarded",
    "sp_unfilled_merge",
)
# Kinds of the second wave (real-mail shapes): non-job mail (nj_), refusals of
# applications that are not jobs (nr_), other replies to such applications
# (na_), job mail that is not a rejection (jn_), rejection shapes (rj_), and
# the applicant-tracking system an email imitates (ats_).
NON_JOB_TAGS: tuple[str, ...] = (
    "nj_bank_alert", "nj_card_alert", "nj_receipt", "nj_bill", "nj_shipping", "nj_travel",
    "nj_marketing", "nj_subscription", "nj_security", "nj_utilities_insurance", "nj_marketplace",
    "nj_newsletter_career", "nj_newsletter_tech", "nj_newsletter_news", "nj_newsletter_hobby",
    "nj_social", "nj_code_hosting", "nj_school", "nj_health", "nj_government",
    "nj_friends_family", "nj_work_internal", "nj_community", "nj_events",
)
NON_JOB_REFUSAL_TAGS: tuple[str, ...] = (
    "nr_rental", "nr_sublet_flatshare", "nr_admission", "nr_scholarship", "nr_loan",
    "nr_credit_card", "nr_mortgage", "nr_refund", "nr_insurance_claim", "nr_warranty", "nr_paper",
    "nr_talk", "nr_grant", "nr_visa", "nr_membership_waitlist", "nr_event_ticket", "nr_adoption",
    "nr_school_place",
)
NON_JOB_APPLICATION_TAGS: tuple[str, ...] = ("na_ack", "na_accept", "na_pending")
JOB_NON_REJECTION_TAGS: tuple[str, ...] = (
    "jn_ats_ack", "jn_status_notice", "jn_account_notice", "jn_interview_scheduling",
    "jn_interview_reschedule", "jn_assessment_invite", "jn_offer", "jn_reference_check",
    "jn_recruiter_outreach", "jn_job_alert", "jn_next_steps", "jn_candidate_written",
    "jn_old_rejection_quoted", "jn_plain_ack",
)
REJECTION_SHAPE_TAGS: tuple[str, ...] = (
    "rj_forwarded_comment", "rj_quoted_thread", "rj_feedback_reply", "rj_terse", "rj_plain_ats",
    "rj_long_personal", "rj_non_native", "rj_ats_knockout", "rj_informal", "rj_warm_generic",
    "rj_warm_personal",
)
# Contrastive pairs: two emails that share their text and differ in the few
# words that flip a label (decision vs condition, employer vs candidate, ...).
CONTRASTIVE_PAIR_TAGS: tuple[str, ...] = (
    "cp_condition", "cp_candidate", "cp_quoted", "cp_nonjob", "cp_negated", "cp_promise", "cp_hold",
    "cp_named",
)
# Kinds of the fifth wave (the contrasts minimal pairs probe): holds that keep
# or release the candidate, outcomes promised or decided, reasons stated or
# denied, job vs look-alike non-job refusals, candidate vs employer reasons.
CONTRAST_KIND_TAGS: tuple[str, ...] = (
    "hold_keep", "hold_release", "promise_pending", "decision_done", "reason_negated",
    "reason_stated", "job_edge_rejection", "nonjob_lookalike", "candidate_declines", "employer_reason",
    # Twelfth wave: a qualifications reason named through the chosen candidate or
    # the role's need, against the same letter with a bare comparison or a vague gap.
    "named_requirement", "bare_comparison", "vague_gap",
)
ATS_STYLE_TAGS: tuple[str, ...] = tuple(
    f"ats_{n}" for n in ("workday", "greenhouse", "lever", "icims", "taleo", "smartrecruiters",
                         "successfactors", "ashby", "personio", "linkedin", "indeed")
)
KNOWN_TAGS: frozenset[str] = frozenset(
    HARD_NEGATIVE_TAGS + SPECIAL_REJECTION_TAGS + NON_JOB_TAGS + NON_JOB_REFUSAL_TAGS
    + NON_JOB_APPLICATION_TAGS + JOB_NON_REJECTION_TAGS + REJECTION_SHAPE_TAGS + ATS_STYLE_TAGS
    + CONTRASTIVE_PAIR_TAGS + CONTRAST_KIND_TAGS
)
ORIGINS = ("written", "composed")
