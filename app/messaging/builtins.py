"""The built-in templates for campaign events and the weekly digest, in both languages.

Variables from other domains are guarded with `is defined` so that these
templates also render where the clean-up or recycling domain is not installed.
"""

import hashlib
import json
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.audit import record_audit
from app.core.database import insert_missing
from app.core.time import utcnow
from app.extensions import db
from app.messaging.models import MessageTemplate
from app.messaging.rendering import plain_newlines

_CAMPAIGN_FR = (
    "{% if campaign_name is defined %}{{ campaign_name }}{% else %}la campagne{% endif %}"
)
# In a French sentence the campaign is named as "la campagne « … »": a name such as
# "Journées du nettoyage numérique" would otherwise be the subject of a singular verb.
_THE_CAMPAIGN_FR = (
    "{% if campaign_name is defined %}la campagne «\u00a0{{ campaign_name }}\u00a0»"
    "{% else %}la campagne{% endif %}"
)
_CAMPAIGN_EN = (
    "{% if campaign_name is defined %}{{ campaign_name }}{% else %}the campaign{% endif %}"
)
_FOOTER_FR = (
    "\n\nVotre boîte de réception\u00a0: {{ inbox_url }}\n"
    "Ne plus recevoir ces e-mails\u00a0: {{ unsubscribe_url }}"
)
_FOOTER_EN = "\n\nYour inbox: {{ inbox_url }}\nStop receiving these e-mails: {{ unsubscribe_url }}"
# Counted words come worded (`points_text`: "1 point", "12 400 points"): a template
# cannot choose the plural itself, its variables are text.
_SCORE_FR = (
    "{% if points_text is defined %}Vous avez {{ points_text }}"
    "{% if rank is defined and rank %} (rang {{ rank }}){% endif %}.{% endif %}"
    "{% if team_name is defined and team_name %}\nVotre direction, {{ team_name }}, "
    "a {{ team_points_text }}{% if team_rank is defined and team_rank %} "
    "(rang {{ team_rank }}){% endif %}.{% endif %}"
    "{% if goal_progress is defined and goal_progress %}"
    "\nObjectif collectif\u00a0: {{ goal_progress }}.{% endif %}"
)
_SCORE_EN = (
    "{% if points_text is defined %}You have {{ points_text }}"
    "{% if rank is defined and rank %} (rank {{ rank }}){% endif %}.{% endif %}"
    "{% if team_name is defined and team_name %}\nYour department, {{ team_name }}, "
    "has {{ team_points_text }}{% if team_rank is defined and team_rank %} "
    "(rank {{ team_rank }}){% endif %}.{% endif %}"
    "{% if goal_progress is defined and goal_progress %}"
    "\nCollective goal: {{ goal_progress }}.{% endif %}"
)
# The hours come written to stand alone ("Du lundi au vendredi : … ; Samedi : …"); inside a
# French sentence their words are common ones, day names included: lower-case.
_POINT_FR = (
    "{% if nearest_collection_point is defined and nearest_collection_point %}\n"
    "Point de collecte le plus proche\u00a0: {{ nearest_collection_point }}"
    "{% if nearest_collection_point_hours is defined and nearest_collection_point_hours %}"
    " ({{ nearest_collection_point_hours|lower }}){% endif %}.{% endif %}"
    "{% if guides_url is defined %}\nLes guides pour aller plus loin\u00a0: {{ guides_url }}"
    "{% endif %}"
)
_POINT_EN = (
    "{% if nearest_collection_point is defined and nearest_collection_point %}\n"
    "Nearest collection point: {{ nearest_collection_point }}"
    "{% if nearest_collection_point_hours is defined and nearest_collection_point_hours %}"
    " ({{ nearest_collection_point_hours }}){% endif %}.{% endif %}"
    "{% if guides_url is defined %}\nMore how-to guides: {{ guides_url }}{% endif %}"
)

# The reviewed entry of a notice, and where to see one's entries (clean-up variables).
_ENTRY_FR = (
    "{% if entry_date is defined %} du {{ entry_date }} ({{ entry_action }}\u00a0: "
    "{{ entry_quantity }}){% endif %}"
)
_ENTRY_EN = (
    "{% if entry_date is defined %} of {{ entry_date }} ({{ entry_action }}: "
    "{{ entry_quantity }}){% endif %}"
)
_IF_CONTACT = "{% if organisers_contact is defined and organisers_contact %}"
_IF_CORRECTION_REFUSED = "{% if entry_refused_quantity is defined and entry_refused_quantity %}"
_MY_ENTRIES_FR = (
    "{% if campaign_url is defined %}\n\nVos saisies\u00a0: {{ campaign_url }}{% endif %}"
)
_MY_ENTRIES_EN = "{% if campaign_url is defined %}\n\nYour entries: {{ campaign_url }}{% endif %}"

# Where to act, and where the results are once the campaign has ended (clean-up variables).
_CAMPAIGN_LINK_FR = (
    "{% if campaign_url is defined %}\nLa page de la campagne\u00a0: {{ campaign_url }}{% endif %}"
)
_CAMPAIGN_LINK_EN = "{% if campaign_url is defined %}\nCampaign page: {{ campaign_url }}{% endif %}"
_RESULTS_LINK_FR = (
    "{% if results_url is defined %}\nTous les résultats\u00a0: {{ results_url }}"
    "{% elif campaign_url is defined %}\nLa page de la campagne\u00a0: {{ campaign_url }}"
    "{% endif %}"
)
_RESULTS_LINK_EN = (
    "{% if results_url is defined %}\nAll the results: {{ results_url }}"
    "{% elif campaign_url is defined %}\nCampaign page: {{ campaign_url }}{% endif %}"
)

# A campaign an organiser ended before its planned end says so, with the day (clean-up
# variables: empty for a campaign that ran its course).
_IF_ENDED_EARLY = "{% if ended_early is defined and ended_early and campaign_ends is defined %}"

# Days left as of the sending other than a week (clean-up variables: `days_left` is
# written "7" in both languages); none once the campaign has ended.
_IF_DAYS_LEFT = (
    "{% if days_left_text is defined and days_left is defined and days_left and days_left != '7' %}"
)

# The results give every goal (`goals_progress`, one per line, when there are several),
# as the results page does: the first alone read as if it were the only one.
_ONE_GOAL_FR = "{% if goal_progress is defined and goal_progress %}"
_ALL_GOALS_FR = (
    "{% if goals_progress is defined and goals_progress %}"
    "\nObjectifs collectifs\u00a0:{{ goals_progress }}{% elif goal_progress is defined "
    "and goal_progress %}"
)
_ONE_GOAL_EN = _ONE_GOAL_FR
_ALL_GOALS_EN = (
    "{% if goals_progress is defined and goals_progress %}"
    "\nCollective goals:{{ goals_progress }}{% elif goal_progress is defined "
    "and goal_progress %}"
)
_RESULTS_SCORE_FR = _SCORE_FR.replace(_ONE_GOAL_FR, _ALL_GOALS_FR)
_RESULTS_SCORE_EN = _SCORE_EN.replace(_ONE_GOAL_EN, _ALL_GOALS_EN)
# Why an organiser ended it early, as participants read it on the campaign's page.
_EARLY_REASON_FR = (
    "{% if ended_early_reason is defined and ended_early_reason %}"
    "Raison de la fin anticipée\u00a0: {{ ended_early_reason }}\n{% endif %}"
)
_EARLY_REASON_EN = (
    "{% if ended_early_reason is defined and ended_early_reason %}"
    "Why it ended early: {{ ended_early_reason }}\n{% endif %}"
)

# Every goal of the campaign an invitation names (`goals_progress` when it has several, else
# `goal_progress`): not only the first, in gigabytes, when devices count too.
_JOIN_GOALS_FR = (
    "{% if goals_progress is defined and goals_progress %}"
    "\nLes objectifs collectifs\u00a0:{{ goals_progress }}"
    "{% elif goal_progress is defined and goal_progress %}"
    "\nL'objectif collectif\u00a0: {{ goal_progress }}.{% endif %}"
)
_JOIN_GOALS_EN = (
    "{% if goals_progress is defined and goals_progress %}"
    "\nThe collective goals:{{ goals_progress }}"
    "{% elif goal_progress is defined and goal_progress %}"
    "\nThe collective goal: {{ goal_progress }}.{% endif %}"
)

BUILTIN_TEMPLATES = {
    "campaign-launch": {
        "name": "Lancement de campagne / Campaign launch",
        "subject_fr": "C'est parti\u00a0: " + _CAMPAIGN_FR,
        "subject_en": "It starts now: " + _CAMPAIGN_EN,
        "body_fr": "Bonjour {{ first_name }},\n\nLa campagne"
        "{% if campaign_name is defined %} «\u00a0{{ campaign_name }}\u00a0»{% endif %}"
        # Said from the moment of sending: a launch that goes out after the start.
        "{% if starts_when is defined %} {{ starts_when }}{% else %} commence{% endif %}"
        "{% if campaign_ends is defined %} et se termine le {{ campaign_ends }}{% endif %}."
        " Chaque action compte, pour vous et pour votre direction.\n"
        + _CAMPAIGN_LINK_FR
        + _POINT_FR
        + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\n"
        + _CAMPAIGN_EN
        + "{% if starts_when is defined %} {{ starts_when }}{% else %} starts{% endif %}"
        # "started … and runs until": "and ends on" read beside "started" as a slip of tense.
        "{% if campaign_ends is defined %} and runs until {{ campaign_ends }}{% endif %}."
        " Every action counts, for you and for your department.\n"
        + _CAMPAIGN_LINK_EN
        + _POINT_EN
        + _FOOTER_EN,
    },
    "campaign-reminder": {
        "name": "Rappel à une semaine de la fin / One week left",
        # The time left as of the sending, as the body says it: sent by hand or scheduled
        # 17 days before the end, "One week left" read beside "in 17 days" (on its last
        # day the campaign still has one day: `days_left` counts it).
        "subject_fr": _IF_DAYS_LEFT
        + "Encore {{ days_left_text }}\u00a0: {% else %}Plus qu'une semaine\u00a0: {% endif %}"
        + _CAMPAIGN_FR,
        "subject_en": _IF_DAYS_LEFT
        + "{{ days_left_text }} left: {% else %}One week left: {% endif %}"
        + _CAMPAIGN_EN,
        # "ends today at 23 h 22", not "1 day left" minutes before the end.
        "body_fr": "Bonjour {{ first_name }},\n\nIl est encore temps d'agir dans "
        + _THE_CAMPAIGN_FR
        + "\u00a0: elle se termine"
        "{% if ends_when is defined and ends_when %} {{ ends_when }}"
        "{% else %} dans une semaine{% endif %}.\n"
        + _SCORE_FR
        + _CAMPAIGN_LINK_FR
        + _POINT_FR
        + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\nThere is still time to act in "
        + _CAMPAIGN_EN
        + ": it ends"
        "{% if ends_when is defined and ends_when %} {{ ends_when }}"
        "{% else %} in a week{% endif %}.\n"
        + _SCORE_EN
        + _CAMPAIGN_LINK_EN
        + _POINT_EN
        + _FOOTER_EN,
    },
    "campaign-last-48h": {
        "name": "Dernières 48 heures / Last 48 hours",
        "subject_fr": "Dernières 48 heures\u00a0: " + _CAMPAIGN_FR,
        "subject_en": "Last 48 hours: " + _CAMPAIGN_EN,
        # When it really ends ("today at 23 h"), sent early or late, and a way in.
        "body_fr": "Bonjour {{ first_name }},\n\nLa campagne"
        "{% if campaign_name is defined %} «\u00a0{{ campaign_name }}\u00a0»{% endif %}"
        " se termine"
        "{% if ends_when is defined and ends_when %} {{ ends_when }}"
        "{% else %} dans 48 heures{% endif %}."
        " C'est le moment de faire le dernier effort.\n"
        + _SCORE_FR
        + _CAMPAIGN_LINK_FR
        + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\n" + _CAMPAIGN_EN + " ends"
        "{% if ends_when is defined and ends_when %} {{ ends_when }}"
        "{% else %} in 48 hours{% endif %}."
        " Time for one last effort.\n" + _SCORE_EN + _CAMPAIGN_LINK_EN + _FOOTER_EN,
    },
    "campaign-results": {
        "name": "Résultats de campagne / Campaign results",
        "subject_fr": "Les résultats\u00a0: " + _CAMPAIGN_FR,
        "subject_en": "The results: " + _CAMPAIGN_EN,
        # Ended early: said once, with its day (« est terminée. Elle s'est terminée plus
        # tôt que prévu » said it twice).
        "body_fr": "Bonjour {{ first_name }},\n\nLa campagne"
        "{% if campaign_name is defined %} «\u00a0{{ campaign_name }}\u00a0»{% endif %}"
        + _IF_ENDED_EARLY
        + " s'est terminée plus tôt que prévu, le {{ campaign_ends }}{% else %} est terminée"
        "{% endif %}. Merci\u00a0!\n"
        + _EARLY_REASON_FR
        + _RESULTS_SCORE_FR
        + _RESULTS_LINK_FR
        + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\n"
        + _CAMPAIGN_EN
        + _IF_ENDED_EARLY
        + " ended earlier than planned, on {{ campaign_ends }}{% else %} is over{% endif %}."
        " Thank you!\n" + _EARLY_REASON_EN + _RESULTS_SCORE_EN + _RESULTS_LINK_EN + _FOOTER_EN,
    },
    "entry-accepted": {
        "name": "Saisie acceptée après examen / Entry accepted after review",
        "subject_fr": "Votre saisie compte\u00a0: " + _CAMPAIGN_FR,
        "subject_en": "Your entry counts: " + _CAMPAIGN_EN,
        "body_fr": "Bonjour {{ first_name }},\n\nUn organisateur a examiné votre saisie"
        + _ENTRY_FR
        + " dans "
        + _THE_CAMPAIGN_FR
        + ". Elle compte"
        "{% if entry_points_text is defined %}\u00a0: {{ entry_points_text }}{% endif %}."
        # A reason typed with the acceptance, given as the rejection's is.
        "{% if review_reason is defined and review_reason %}\nMotif\u00a0: {{ review_reason }}"
        "{% endif %}" + _MY_ENTRIES_FR + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\nAn organiser reviewed your entry"
        + _ENTRY_EN
        + " in "
        + _CAMPAIGN_EN
        + ". It counts"
        "{% if entry_points_text is defined %}: {{ entry_points_text }}{% endif %}."
        "{% if review_reason is defined and review_reason %}\nReason: {{ review_reason }}"
        "{% endif %}" + _MY_ENTRIES_EN + _FOOTER_EN,
    },
    # A rejected correction of an accepted entry refuses the change only: the entry keeps
    # what was accepted, and still counts (`entry_refused_quantity`, else empty).
    "entry-rejected": {
        "name": "Saisie refusée après examen / Entry rejected after review",
        "subject_fr": _IF_CORRECTION_REFUSED
        + "Votre correction n'a pas été acceptée\u00a0: {% else %}"
        "Votre saisie ne compte pas\u00a0: {% endif %}" + _CAMPAIGN_FR,
        "subject_en": _IF_CORRECTION_REFUSED + "Your correction was not accepted: {% else %}"
        "Your entry does not count: {% endif %}" + _CAMPAIGN_EN,
        "body_fr": "Bonjour {{ first_name }},\n\n"
        + _IF_CORRECTION_REFUSED
        # The entry named before the correction: « Votre correction de la saisie du
        # 3 décembre (Mails supprimés) à 5 Go » read as a date range.
        + "Pour votre saisie «\u00a0{{ entry_action }}\u00a0» du {{ entry_date }}, votre "
        "correction à {{ entry_refused_quantity }} dans "
        + _THE_CAMPAIGN_FR
        + " n'a pas été acceptée. La saisie conserve {{ entry_quantity }} "
        "({{ entry_points_text }}), la quantité acceptée auparavant."
        "{% else %}Un organisateur a examiné votre saisie"
        + _ENTRY_FR
        + " dans "
        + _THE_CAMPAIGN_FR
        + ". Elle ne compte pas dans les scores.{% endif %}"
        "{% if review_reason is defined and review_reason %}\nMotif\u00a0: {{ review_reason }}"
        "{% endif %}"
        # Where to object, with a working address (`organisers_contact`); with none, whom
        # to ask to pass it on, as the campaign page says it (« écrivez aux organisateurs »
        # alone left the reader with nowhere to write).
        "\n\nSi vous pensez qu'il s'agit d'une erreur, "
        + _IF_CONTACT
        + "écrivez aux organisateurs de la campagne\u00a0: {{ organisers_contact }}"
        "{% else %}demandez à votre support informatique ou à votre responsable de "
        "transmettre votre remarque aux organisateurs de la campagne{% endif %}."
        + _MY_ENTRIES_FR
        + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\n"
        + _IF_CORRECTION_REFUSED
        + "For your entry “{{ entry_action }}” of {{ entry_date }}, your correction to "
        "{{ entry_refused_quantity }} in "
        + _CAMPAIGN_EN
        + " was not accepted. The entry keeps {{ entry_quantity }} ({{ entry_points_text }}),"
        " the quantity accepted before."
        "{% else %}An organiser reviewed your entry"
        + _ENTRY_EN
        + " in "
        + _CAMPAIGN_EN
        + ". It does not count towards the scores.{% endif %}"
        "{% if review_reason is defined and review_reason %}\nReason: {{ review_reason }}"
        "{% endif %}"
        "\n\nIf you think this is a mistake, "
        + _IF_CONTACT
        + "write to the campaign's organisers: {{ organisers_contact }}"
        "{% else %}ask your IT help desk or your manager to pass it on to the campaign's "
        "organisers{% endif %}." + _MY_ENTRIES_EN + _FOOTER_EN,
    },
    "device-custody": {
        "name": "Suivi d'un appareil rapporté / News of a returned device",
        # The step and the receipt (`custody_subject`): a receipt, a wipe and an outcome
        # told the same minute read apart in the inbox; a point's closure has no step.
        "subject_fr": "{% if custody_subject is defined and custody_subject %}"
        "{{ custody_subject }}{% else %}Des nouvelles de l'appareil que vous avez déclaré"
        "{% endif %}",
        "subject_en": "{% if custody_subject is defined and custody_subject %}"
        "{{ custody_subject }}{% else %}News of the device you declared{% endif %}",
        "body_fr": "Bonjour {{ first_name }},\n\n"
        "{% if custody_news is defined %}{{ custody_news }}{% endif %}"
        "{% if receipt_url is defined %}\n\nVotre reçu et la chaîne de traçabilité\u00a0: "
        "{{ receipt_url }}{% endif %}" + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\n"
        "{% if custody_news is defined %}{{ custody_news }}{% endif %}"
        "{% if receipt_url is defined %}\n\nYour receipt and the chain of custody: "
        "{{ receipt_url }}{% endif %}" + _FOOTER_EN,
    },
    "device-return-reminder": {
        "name": "Rappel d'un appareil à rapporter / Reminder of a device to bring",
        "subject_fr": "L'appareil que vous avez déclaré attend d'être rapporté",
        "subject_en": "The device you declared is waiting to be brought",
        "body_fr": "Bonjour {{ first_name }},\n\n"
        "{% if custody_news is defined %}{{ custody_news }}{% endif %}"
        "{% if receipt_url is defined %}\n\nVotre reçu\u00a0: {{ receipt_url }}{% endif %}"
        + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\n"
        "{% if custody_news is defined %}{{ custody_news }}{% endif %}"
        "{% if receipt_url is defined %}\n\nYour receipt: {{ receipt_url }}{% endif %}"
        + _FOOTER_EN,
    },
    "request-approved": {
        "name": "Demande acceptée / Request approved",
        "subject_fr": "Votre demande est acceptée",
        "subject_en": "Your request is approved",
        "body_fr": "Bonjour {{ first_name }},\n\nVotre demande"
        "{% if request_date is defined %} du {{ request_date }}{% endif %}"
        "{% if request_items is defined %} ({{ request_items }}){% endif %} est acceptée."
        "{% if decision_note is defined and decision_note %}\nNote\u00a0: {{ decision_note }}"
        "{% endif %}{% if request_url is defined %}\n\nVotre demande\u00a0: {{ request_url }}"
        "{% endif %}" + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\nYour request"
        "{% if request_date is defined %} of {{ request_date }}{% endif %}"
        "{% if request_items is defined %} ({{ request_items }}){% endif %} is approved."
        "{% if decision_note is defined and decision_note %}\nNote: {{ decision_note }}"
        "{% endif %}{% if request_url is defined %}\n\nYour request: {{ request_url }}"
        "{% endif %}" + _FOOTER_EN,
    },
    "request-refused": {
        "name": "Demande refusée / Request refused",
        "subject_fr": "Votre demande n'est pas acceptée",
        "subject_en": "Your request is not approved",
        "body_fr": "Bonjour {{ first_name }},\n\nVotre demande"
        "{% if request_date is defined %} du {{ request_date }}{% endif %}"
        "{% if request_items is defined %} ({{ request_items }}){% endif %} n'est pas acceptée."
        "{% if decision_note is defined and decision_note %}\nMotif\u00a0: {{ decision_note }}"
        "{% endif %}{% if request_url is defined %}\n\nVotre demande\u00a0: {{ request_url }}"
        "{% endif %}" + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\nYour request"
        "{% if request_date is defined %} of {{ request_date }}{% endif %}"
        "{% if request_items is defined %} ({{ request_items }}){% endif %} is not approved."
        "{% if decision_note is defined and decision_note %}\nReason: {{ decision_note }}"
        "{% endif %}{% if request_url is defined %}\n\nYour request: {{ request_url }}"
        "{% endif %}" + _FOOTER_EN,
    },
    "weekly-digest": {
        "name": "Résumé hebdomadaire / Weekly digest",
        "subject_fr": "Votre semaine numérique responsable",
        "subject_en": "Your responsible digital week",
        "body_fr": "Bonjour {{ first_name }},\n\nVoici où vous en êtes"
        "{% if campaign_name is defined %} dans "
        + _THE_CAMPAIGN_FR
        + "{% endif %}.\n"
        + _SCORE_FR
        + _POINT_FR
        + "\n\nLe portail\u00a0: {{ portal_url }}"
        + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\nHere is where you stand"
        "{% if campaign_name is defined %} in {{ campaign_name }}{% endif %}.\n"
        + _SCORE_EN
        + _POINT_EN
        + "\n\nThe portal: {{ portal_url }}"
        + _FOOTER_EN,
    },
    # For the people of a campaign who have logged nothing yet (`campaign-non-participants`),
    # at any moment while it runs: an invitation, never their zero points, with every goal.
    "campaign-not-participated": {
        "name": "Pas encore participé / Not taken part yet",
        "subject_fr": "Il est encore temps de nous rejoindre\u00a0: " + _CAMPAIGN_FR,
        "subject_en": "There is still time to join in: " + _CAMPAIGN_EN,
        "body_fr": "Bonjour {{ first_name }},\n\nIl est encore temps de rejoindre "
        + _THE_CAMPAIGN_FR
        + "{% if ends_when is defined and ends_when %}\u00a0: elle se termine {{ ends_when }}"
        "{% endif %}. Un premier geste suffit pour commencer, supprimer de vieux e-mails ou "
        "vider un dossier partagé par exemple, et chaque action compte, pour vous et pour "
        "votre direction.\n" + _JOIN_GOALS_FR + _CAMPAIGN_LINK_FR + _POINT_FR + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\nThere is still time to join "
        + _CAMPAIGN_EN
        + "{% if ends_when is defined and ends_when %}: it ends {{ ends_when }}{% endif %}."
        " One first step is enough to start, deleting old e-mails or emptying a shared "
        "folder for instance, and every action counts, for you and for your department.\n"
        + _JOIN_GOALS_EN
        + _CAMPAIGN_LINK_EN
        + _POINT_EN
        + _FOOTER_EN,
    },
    # Sent at once when an organiser extends a campaign and asks for it: the new end.
    "campaign-extended": {
        "name": "Campagne prolongée / Campaign extended",
        "subject_fr": "Campagne prolongée\u00a0: " + _CAMPAIGN_FR,
        "subject_en": "Campaign extended: " + _CAMPAIGN_EN,
        "body_fr": "Bonjour {{ first_name }},\n\n"
        + "Bonne nouvelle\u00a0: "
        + _THE_CAMPAIGN_FR
        + " est prolongée"
        "{% if campaign_ends is defined %}\u00a0: elle se termine désormais le "
        "{{ campaign_ends }}{% endif %}. Vous avez plus de temps pour agir.\n"
        + _CAMPAIGN_LINK_FR
        + _FOOTER_FR,
        "body_en": "Hello {{ first_name }},\n\nGood news: " + _CAMPAIGN_EN + " is extended"
        "{% if campaign_ends is defined %}: it now ends on {{ campaign_ends }}{% endif %}."
        " You have more time to act.\n" + _CAMPAIGN_LINK_EN + _FOOTER_EN,
    },
}


# Sent by the portal to one person about something of theirs, never to an audience.
NOTICE_TEMPLATES = frozenset(
    {
        "entry-accepted",
        "entry-rejected",
        "device-custody",
        "device-return-reminder",
        "request-approved",
        "request-refused",
    }
)

# Built-ins whose words hold for one audience only, by key: « Il est encore temps de nous
# rejoindre » sent to a campaign's whole scope told those who had taken part they had not.
# Refused for any other audience (an organiser's own template says what they choose).
AUDIENCE_OF = {"campaign-not-participated": "campaign-non-participants"}


def wrong_audience(template_key: str, audience_key: str) -> bool:
    """Whether a built-in written for one audience (`AUDIENCE_OF`) goes to another: refused
    when scheduled, and skipped when due if planned before that refusal existed."""
    wanted = AUDIENCE_OF.get(template_key)
    return wanted is not None and audience_key != wanted


# What the preview and the test of a notice show for the news only a real event gives
# (`custody_news` comes with an agent's step or a point's closure): named as samples, in
# words. Without them these built-ins previewed as « Bonjour Camille, » and their footer.
NOTICE_SAMPLES = {
    "device-custody": {
        "custody_news": _l(
            "[News of the device: what an agent recorded (its receipt at a collection "
            "point, the wiping of its data, its outcome, or that it never came), or the "
            "temporary closure of its collection point, with its receipt number and the date]"
        ),
    },
    "device-return-reminder": {
        "custody_news": _l(
            "[Reminder: the device declared, its receipt number, the day it was declared, "
            "the collection point with its address and opening hours, and how to withdraw "
            "the declaration]"
        ),
    },
}

# The texts a built-in template's subjects and bodies were installed with, oldest first,
# by fingerprint (`shipped_fingerprint`); the last is the text shipped now. A copy still
# holding an older one was never edited, and takes the new text by itself. Changing a
# text above: append its new fingerprint here, and keep the old ones (a test says so).
SHIPPED_TEXTS = {
    "campaign-launch": (
        "93ee19c92c191298",
        "1282b7d9a28c03d0",
        "b2151561860cdf65",
        "5b4282ef6c9cd69b",
        "9108c591a567e8ae",
        "1567e2ab817c0452",
        "0ef6f224089a7843",
        "9cadbc6e49a97ca5",
        "fa25c855e0a9d57e",
        "8683b919a315c488",
    ),
    "campaign-reminder": (
        "2faba753ead5fa0e",
        "0949f26e15002fa2",
        "ab82aea967a1844e",
        "9d1da51b32389693",
        "33f426315a0f8e97",
        "9e071c53e70a697f",
        "6754b1c2fccaf0f1",
        "7b0956f54fb317c2",
        "b10ca7ae2ad0d838",
        "0c110bc10e929b58",
    ),
    "campaign-last-48h": (
        "dc06a8f26d0fe8c2",
        "296845a62a2a7eaf",
        "2b0df419eadb69e2",
        "1edb1aa7736cffda",
        "c0fe02aa5ebc8bdc",
        "58887010c0651b9f",
        "09eac047547f2869",
        "bd077491ad76024b",
    ),
    "campaign-results": (
        "139b9d284a9c79fe",
        "09bcadd8036816cd",
        "5c010dc035aa334e",
        "dc10a15694126541",
        "08b27a27ad246b84",
        "44ccb7fbcafa2d1e",
        "b16defd51ec0cb08",
        "be7367a3f7f66530",
        "b9761ff4a36ce6cd",
        "408d957c0c3cb945",
        "bb70b6874fdb6287",
    ),
    "weekly-digest": (
        "b89dffaf4b3b9252",
        "db7c402877d465f2",
        "1bf50280b5111f1e",
        "dd987ae52238af00",
        "28488333c535634f",
        "c1bdefcdbe45ab50",
        "ed03fd6cfa301311",
    ),
    "entry-accepted": ("aeef7d486d847d05", "7c8e216f91463ce1"),
    "entry-rejected": (
        "2d213b0cbabe2fdf",
        "e00ac7ba55c027fe",
        "1aed081c558a2cc0",
        "fac0d8c51a6696fc",
        "46169af8eb026e76",
    ),
    "device-custody": (
        "50f1dc6aa38208e4",
        "c10480d68fdba5f2",
        "0180a0c4cb735b96",
        "bed08d6c899ee27c",
    ),
    "request-approved": ("c87c5c3b94166664",),
    "request-refused": ("2e41c09e11f4752f",),
    "device-return-reminder": ("ce5e0f8be36b997a",),
    "campaign-not-participated": ("6e8eff2ef1c79508",),
    "campaign-extended": ("ad25dd33dcc7b094",),
}
SHIPPED_FIELDS = ("subject_fr", "body_fr", "subject_en", "body_en")


def shipped_fingerprint(texts) -> str:
    """A short fingerprint of a template's subjects and bodies (a dict or a template)."""
    values = [texts[f] if isinstance(texts, dict) else getattr(texts, f) for f in SHIPPED_FIELDS]
    # A copy saved unchanged from the editor (its line breaks CR LF) is still unedited.
    values = [plain_newlines(value or "") for value in values]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:16]


def ensure_builtin_templates(now: datetime | None = None) -> list[str]:
    """Create the built-in templates that are missing, and bring the unedited ones the
    text shipped now (the keys of both); never overwrite an organiser's edits."""
    existing = {
        template.key: template
        for template in db.session.scalars(
            select(MessageTemplate).where(MessageTemplate.key.in_(BUILTIN_TEMPLATES))
        )
    }
    missing = [
        {"key": key, "builtin": True, **texts}
        for key, texts in BUILTIN_TEMPLATES.items()
        if key not in existing
    ]
    insert_missing(MessageTemplate, missing, "key")
    return [row["key"] for row in missing] + _refresh_unedited(existing.values(), now)


def _refresh_unedited(templates, now: datetime | None) -> list[str]:
    """The built-in templates still holding an older shipped text take today's (flushes);
    their keys. One edited by an organiser matches no shipped text and stays as it is."""
    refreshed = []
    for template in templates:
        older = SHIPPED_TEXTS.get(template.key, ())[:-1]
        if not template.builtin or shipped_fingerprint(template) not in older:
            continue
        now = now or utcnow()
        for field in SHIPPED_FIELDS:
            setattr(template, field, BUILTIN_TEMPLATES[template.key][field])
        template.updated_at = now
        record_audit(None, "restore", "messaging_template", template.id, now, template.key)
        refreshed.append(template.key)
    if refreshed:
        db.session.flush()
    return refreshed
