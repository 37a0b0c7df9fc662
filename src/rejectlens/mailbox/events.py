"""What one job message does to an application: the light rules beside the model.

The model says whether a message is job-related and whether it is a
rejection (and at which stage). Everything else an application's status
needs is read here, from the subject and the first lines of the cleaned
text, in this order (the first rule that matches wins):

==============  =============================================================
event           rule
==============  =============================================================
``alert``       job-board digests and talent-community mail ("new jobs",
                "job alert", "jobs you may have missed", "new roles at")
``outreach``    recruiters writing first ("came across your profile", "are you
                open to", "sent you a message", "a client of ours")
``withdrawal``  the owner declines an offer or withdraws ("I have decided to
                decline", "withdraw my application")
``chase``       anything else the owner sends (follow-ups, thank-yous,
                feedback requests): the owner is waiting for an answer
``rejection``   the model's ``is_rejection``
``offer``       "pleased to offer you", "offer of employment", "offer letter"
``withdrawal``  the employer confirms the owner's withdrawal ("withdrawn at
                your request", "you have withdrawn your application"), even
                when it names the interview it cancels
``interview``   an invitation to or a rescheduled interview, a final round,
                "shortlisted", "video call", "next steps" with a meeting; an
                interview confirmed or moved ("confirmation for your
                interview", "moved the interview"), or a subject naming one
                ("Interview with Sam moved", "Video interview with Acme"; not
                an article's: "How to ace your video interview")
``assessment``  online tests, take-home and data exercises, design challenges,
                assessment centres
``update``      "still reviewing", "on hold", "status ... has changed",
                "received your exercise", checks of the owner's referees
                ("we will contact your references"): in process, an answer
                is owed
``ack``         "received your application", "thank you for applying",
                "application submitted / was sent to", "your application was
                viewed" (a job board's notice that the employer opened it)
``other``       job mail none of the above fits (it is named only from its
                thread, or from a sender that wrote about the application)
==============  =============================================================

``alert`` and ``outreach`` belong to no application. ``interview``,
``assessment``, ``update`` and ``chase`` expect a reply: an application
whose last such message is older than ``ghosted_after`` days with no
employer message since is ``ghosted``.
"""

from __future__ import annotations

import re

__all__ = ["EVENTS", "EXPECTS_REPLY", "STAGE_RANK", "classify_event"]

EVENTS = ("alert", "outreach", "withdrawal", "chase", "rejection", "offer", "interview", "assessment",
          "update", "ack", "other")
EXPECTS_REPLY = frozenset({"interview", "assessment", "update", "chase"})
# How far a process got, for "furthest stage reached".
STAGE_RANK = {"applied": 0, "acknowledged": 1, "assessment": 2, "interview": 3, "offer": 4}

_ALERT = re.compile(r"job alert|new jobs|jobs? (?:for you|you may have missed|matching)|new roles at|"
                    r"new vacancies|saved search|weekly (?:digest|\w+ jobs)|jobs digest|"
                    r"\d+ new (?:\w+ )?(?:jobs|roles)|signed up for job updates", re.I)
_OUTREACH = re.compile(r"came across your (?:profile|cv|work|repo)|are you (?:open to|looking|actively)|"
                       r"sent you a message|a client of ours|i'?m working (?:with|on)|"
                       r"thought of you|would you (?:consider|be interested|like to hear)|"
                       r"caught my eye|i have an? (?:urgent|part-time|new)|roles? i'?m working on|"
                       r"we specialise in|following up on my message|bumping this", re.I)
_WITHDRAW = re.compile(r"decided to decline|declin(?:e|ing) (?:the|your|this) offer|"
                       r"withdraw(?:ing)? (?:my|from)|no longer (?:wish|want) to be considered|"
                       r"accepted (?:another|a different) (?:role|offer|position)", re.I)
_WITHDRAWN = re.compile(r"withdrawn at your request|you(?:['’]ve| have)? withdr(?:awn|ew) your application",
                        re.I)
_OFFER = re.compile(r"pleased to offer|offer of employment|offer letter|(?:like|delighted|happy) to offer "
                    r"you|formal offer|offer you the (?:role|position|job)", re.I)
_INTERVIEW = re.compile(r"invit\w* you (?:to|for) (?:an? |the |your )?(?:\w+[- ])?(?:interview|call|chat|"
                        r"assessment centre)|interview invitation|invitation to (?:\w+ )?interview|"
                        r"final round|second round|next round|shortlisted|video call|phone screen|"
                        r"(?:schedule|arrange|book) (?:an? |your )?(?:interview|call|time)|"
                        r"interview (?:cancelled|rescheduled|confirmed|moved|on \w+)|first interview|"
                        r"confirm\w* (?:for |of )?your interview|"
                        r"(?:moved|rescheduled|postponed) (?:the |your |our |\w+['’]s )?interview|"
                        r"would you be available for|meet (?:you|the team)", re.I)
# A subject names the meeting itself: "Interview with Sam moved", "Video interview with Acme",
# "Designer interview with Maya"; an article's ("Inside Acme: an interview with our lead", "How to
# ace your video interview") does not.
_INTERVIEW_SUBJECT = re.compile(
    r"^\W*(?:(?:re|fwd?|aw)\s*:\s*)*(?:(?:video|phone|virtual|onsite|on-site|panel|first|second|final) )?"
    r"interview with\b|(?:video|phone|virtual|onsite|on-site|panel) interview (?:with|for|on|at|"
    r"invitation|confirm|schedul|resched|moved)|"
    r"\binterview with (?-i:[A-Z])", re.I)  # a person or firm by name: "... interview with Maya"
_ASSESSMENT = re.compile(r"online (?:test|assessment)|take-?home|data (?:task|exercise)|"
                         r"(?:coding|design) (?:test|challenge|task)|assessment centre|"
                         r"(?:sql|python|numerical|technical) (?:and \w+ )?test|case study|hackerrank|"
                         r"codility|\bexercise\b", re.I)
_UPDATE = re.compile(r"still review|on hold|(?:status|stage) of your application|status has changed|"
                     r"under review|remain in consideration|received your (?:exercise|task|test|"
                     r"submission)|reviewing it|delay|next steps|progressed to|"
                     # the owner's own referees being asked, not the owner asked to be one
                     r"(?:contact\w*|reach\w* out to|speak\w* (?:to|with)) your references|"
                     r"\breferees\b|reference check stage|"
                     r"(?:start|begin|carry out|conduct|run|complet)\w* (?:the |your )?reference checks?",
                     re.I)
_ACK = re.compile(r"received your application|thanks? (?:you )?for (?:your )?appl|"
                  r"application (?:has been |was )?(?:submitted|received|sent to)|"
                  r"we got your application|confirms? that we have received|application confirmation|"
                  r"thanks for volunteering|acknowledg|application (?:was |has been )?viewed|"
                  r"\bviewed your application", re.I)


_CONDITIONAL = re.compile(r"\b(?:if|should|whether|once|unless)\b|candidates who|"
                          r"successful (?:applicants|candidates)|shortlisted (?:candidates|applicants)|"
                          r"will be (?:invited|contacted)|"
                          r"we'?ll be in touch|we aim to|may not be able", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _assertive(text: str) -> str:
    """The sentences that state something: acknowledgements promise interviews
    conditionally ("if you are shortlisted we will call"), which is no invitation."""
    return "\n".join(s for s in _SENTENCE.split(text) if not _CONDITIONAL.search(s))


def classify_event(subject: str, text: str, *, is_rejection: bool, owner_sent: bool,
                   forwarded: bool = False) -> str:
    """The event of one job message (see the table above); never raises."""
    subject, text = subject or "", (text or "")[:2500]
    head = f"{subject}\n{text}"
    if forwarded:
        # A forward carries the employer's message: it counts as that message.
        return "rejection" if is_rejection else "other"
    if owner_sent:
        return "withdrawal" if _WITHDRAW.search(text) else "chase"
    if _ALERT.search(subject) or _ALERT.search(text[:400]):
        return "alert"
    if _OUTREACH.search(head) and not _ACK.search(head) and not is_rejection:
        return "outreach"
    if is_rejection:
        return "rejection"
    stated = _assertive(head)
    if _OFFER.search(stated):
        return "offer"
    # before invitations: a confirmation names the interview it cancels
    if _WITHDRAWN.search(stated):
        return "withdrawal"
    if _ASSESSMENT.search(subject):
        return "assessment"
    if _INTERVIEW.search(stated) or _INTERVIEW_SUBJECT.search(subject):
        return "interview"
    if _ASSESSMENT.search(stated):
        return "assessment"
    if _UPDATE.search(stated):
        return "update"
    if _ACK.search(head):
        return "ack"
    return "other"
