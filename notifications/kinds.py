"""The kinds of notification, their French labels, and what settles them.

Step events come from KIT 1's services; the others through `cooperations.signals`.
"""

from cooperations.signals import EVENT_KINDS

STEP_KINDS = ("step_submitted", "step_validated", "step_returned", "step_reopened")

LABELS = {
    "step_submitted": "Étape KIT 1 soumise à l'ARS",
    "step_validated": "Étape KIT 1 validée",
    "step_returned": "Étape KIT 1 renvoyée",
    "step_reopened": "Étape KIT 1 rouverte",
    "step_comment": "Commentaire sur une étape",
    "convention_comment": "Commentaire sur une convention",
    "convention_all_signed": "Convention signée par tous les membres",
    "convention_approved": "Convention approuvée",
    "convention_refused": "Convention refusée",
    "convention_sent_back": "Convention renvoyée pour modification",
    "convention_tacit_approval": "Approbation tacite acquise",
    "cooperation_moved": "Coopération transférée à une autre ARS",
    "member_added": "Nouveau membre",
    "deliverable_overdue": "Livrable en retard",
    "report_overdue": "Rapport d'avancement en retard",
}
ALL_KINDS = STEP_KINDS + tuple(k for k in EVENT_KINDS if k not in STEP_KINDS)
assert set(ALL_KINDS) <= set(LABELS), "every kind needs a French label"

# An event of the key's kind settles the open notifications of these kinds about the same
# target (or, when the event has no target, the same cooperation): the thing they pointed
# to has been handled.
SETTLES = {
    "step_validated": ("step_submitted",),
    "step_returned": ("step_submitted",),
    "step_submitted": ("step_returned", "step_reopened"),
    "convention_approved": ("convention_all_signed",),
    "convention_refused": ("convention_all_signed",),
    "convention_sent_back": ("convention_all_signed",),
    "convention_tacit_approval": ("convention_all_signed",),
    "convention_all_signed": ("convention_sent_back",),
}

# Who hears of each kind: the project team, the agents of the pilot ARS, or both.
TEAM, ARS = "team", "ars"
AUDIENCE = {
    "step_submitted": (ARS,),
    "step_validated": (TEAM,),
    "step_returned": (TEAM,),
    "step_reopened": (TEAM,),
    "step_comment": (TEAM, ARS),
    "convention_comment": (TEAM, ARS),
    "convention_all_signed": (ARS,),
    "convention_approved": (TEAM,),
    "convention_refused": (TEAM,),
    "convention_sent_back": (TEAM,),
    "convention_tacit_approval": (TEAM, ARS),
    "cooperation_moved": (TEAM, ARS),
    "member_added": (TEAM, ARS),
    "deliverable_overdue": (TEAM,),
    "report_overdue": (TEAM, ARS),
}
