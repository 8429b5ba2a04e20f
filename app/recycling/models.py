"""Collection points, their agents, device returns and each return's chain of custody."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.devices import DEVICE_TYPES
from app.core.models import Commune
from app.core.text_search import fold
from app.core.time import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

CONDITIONS = ("working", "broken")
OUTCOMES = ("reused", "donated", "refurbished", "recycled")
STATUSES = ("declared", "received", "wiped", *OUTCOMES)
# A return still waiting for an agent: received, wiped or given its outcome next.
OPEN_STATUSES = ("declared", "received", "wiped")
# The person withdrew the declaration before an agent received the device: no device
# changed hands, so the return counts in no statistic and its asset tag is free again.
WITHDRAWN = "withdrawn"
# An agent closed the declaration because the device never came to the point: no device
# changed hands either, but the owner did not withdraw it, and their receipt says who
# closed it and why (`services.close_not_brought`); or the portal did, long after
# (`services.close_unbrought_returns`, its step signed without an agent).
NOT_BROUGHT = "not_brought"
# Declarations that ended with no device handed in: in no statistic or open-data record,
# their asset tag free for a later declaration.
NEVER_HANDED_IN = (WITHDRAWN, NOT_BROUGHT)
EVERY_STATUS = (*STATUSES, *NEVER_HANDED_IN)
# An agent undid a receipt recorded by mistake (`services.undo_receipt`): a step, never a
# status (the return is "declared" again), appended after the receipt it undoes, which
# stays. Named within the column's 12 characters.
RECEIPT_UNDONE = "receipt_undo"
# An agent corrected a value signed in an earlier step (`services.correct_step`): a step,
# never a status, appended after the step it corrects, which stays as signed.
CORRECTION = "correction"
# A device brought to a desk that nobody declared (`walk_in.record_walk_in`): the first
# step of its chain, signed by the agent who recorded it, in place of an owner's
# "declared"; a step, never a status: the agent's "received" follows it at once.
WALK_IN = "walk_in"
# Every step a chain of custody may hold.
CUSTODY_STEPS = (*EVERY_STATUS, RECEIPT_UNDONE, CORRECTION, WALK_IN)
# The steps the device's owner records (declaring it, withdrawing the declaration): no
# name is stored for them, the pages say "by you" or "by the person who returned it".
OWNER_STEPS = ("declared", WITHDRAWN)
# Outcomes that keep the device in use: their manufacturing footprint is avoided.
REUSE_OUTCOMES = ("reused", "donated", "refurbished")
# The outcome that puts the device back in the administration's own service, its asset
# tag on it: the tag is free again, for the day it is returned once more. Donated, it
# leaves the inventory; refurbished, it goes to a provider; recycled, its life ends.
BACK_IN_SERVICE = ("reused",)
# The outcomes that hand the device over to an organisation outside the administration
# (a charity, a refurbisher, an e-waste collector): their step records, signed, who
# received it and the hand-over slip (bordereau), where the chain of custody leaves us.
LEAVES_THE_ADMINISTRATION = ("donated", "refurbished", "recycled")
# How a custody step's signature is computed (`services._step_payload`). 1: the step's
# facts; 2 (since 7 December): also the name shown with it and its place in the chain,
# so that a name changed or a step deleted no longer verifies. Older steps keep theirs.
SIGNED_CHAIN = 2
# The values a correction step may correct, by the step that signed them: a wipe's
# certificate number, and an outcome's hand-over (LEAVES_THE_ADMINISTRATION).
CORRECTABLE_FIELDS = {
    "wiped": ("certificate_number",),
    **dict.fromkeys(LEAVES_THE_ADMINISTRATION, ("handover_slip", "recipient")),
}
# Their columns' lengths: a corrected value is held to the same.
CORRECTABLE_LENGTHS = {"certificate_number": 64, "handover_slip": 64, "recipient": 120}
WIPE_METHODS = ("software_overwrite", "crypto_erase", "physical_destruction", "factory_reset")
# What became of a return's data, read from its chain of custody (`queries.wipe_json`):
# no certified wipe to do (a type that holds no data, or the owner wiped it themselves),
# a certified wipe requested and not recorded yet, or recorded by an agent (certificate).
WIPE_STATUSES = ("not_needed", "requested", "done")


def point_label(name: str, commune: str) -> str:
    """A point named with its commune (« Mairie annexe · Bègles »), as the return form's
    list names it: two communes may each have a point of the same name. A name that
    already says its commune, accents and case aside (« Mairie de Talence », the demo's
    « Cité municipale – Bordeaux »), is not followed by it again."""
    if fold(commune) in fold(name):
        return name
    return f"{name} · {commune}"


def accepted_in_order(accepted_types: str) -> list[str]:
    """A point's accepted device types (stored comma-separated) in the order of their
    definition (DEVICE_TYPES), as every list, popup and form shows them, whatever order
    they were stored in; a key no longer defined comes last, as stored."""
    stored = [t for t in accepted_types.split(",") if t]
    return [t for t in DEVICE_TYPES if t in stored] + [t for t in stored if t not in DEVICE_TYPES]


class CollectionPoint(db.Model):
    """A place where staff drop obsolete devices."""

    __tablename__ = "recycling_collection_point"
    __cache_namespace__ = "points"  # cached fragments follow its changes

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[int] = mapped_column(ForeignKey("commune.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(250))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(250))  # OSM opening_hours syntax
    # Comma-separated DEVICE_TYPES keys: small, fixed vocabulary, read as a whole.
    accepted_types: Mapped[str] = mapped_column(String(200))
    directions_fr: Mapped[str] = mapped_column(Text, default="")
    directions_en: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    closure_note: Mapped[str] = mapped_column(String(250), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Moved by one at every save of the edit form, which carries it: a save from a form
    # opened before another is refused (`services.save_point`), not silently undoing it.
    edit_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    commune: Mapped[Commune] = relationship(lazy="joined")
    agent_rows: Mapped[list["PointAgent"]] = relationship(
        back_populates="point", cascade="all, delete-orphan"
    )

    @property
    def accepted_device_types(self) -> list[str]:
        return accepted_in_order(self.accepted_types)

    @property
    def label(self) -> str:
        """Its name and commune, where the name alone could be another commune's point."""
        return point_label(self.name, self.commune.name)

    def directions(self, locale: str) -> str:
        return (self.directions_en if locale == "en" else self.directions_fr) or (
            self.directions_fr or self.directions_en
        )


class PointAgent(db.Model):
    """An agent assigned to a collection point: sees and handles its returns."""

    __tablename__ = "recycling_point_agent"
    __table_args__ = (UniqueConstraint("point_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(
        ForeignKey("recycling_collection_point.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )

    point: Mapped[CollectionPoint] = relationship(back_populates="agent_rows")
    user: Mapped[User] = relationship()


class DeviceReturn(db.Model):
    """A device handed in at a collection point, followed until its outcome."""

    __tablename__ = "recycling_device_return"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_number: Mapped[str] = mapped_column(String(20), unique=True)
    # NULL once the person asked for erasure: the return stays in the statistics.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    point_id: Mapped[int] = mapped_column(ForeignKey("recycling_collection_point.id"), index=True)
    device_type: Mapped[str] = mapped_column(String(20), index=True)
    asset_tag: Mapped[str | None] = mapped_column(String(64))
    # Invariant 3: the unique constraint, not a prior SELECT, guarantees one return per tag.
    asset_tag_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    condition: Mapped[str] = mapped_column(String(10))
    data_wiped: Mapped[bool] = mapped_column(Boolean, default=False)
    wipe_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), index=True, default="declared")
    # The status and the number of custody steps, signed (`services.chain_seal`): a last
    # step deleted with the status set back to the one before no longer matches it. None
    # on a return no step has changed since 8 December.
    chain_seal: Mapped[str | None] = mapped_column(String(64))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the owner was reminded that the device still waits to be brought (once).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The manufacturing footprint (kg CO2e) of a new device of its type when its outcome
    # was recorded (`catalogue.queries.reference_embodied_by_device_type` then): what a
    # reuse avoided stays what it was, whatever the catalogue holds later. NULL until an
    # outcome is recorded.
    embodied_kgco2e: Mapped[float | None] = mapped_column(Float)

    point: Mapped[CollectionPoint] = relationship(lazy="joined")
    user: Mapped[User | None] = relationship()
    steps: Mapped[list["CustodyStep"]] = relationship(
        back_populates="device_return",
        cascade="all, delete-orphan",
        order_by="CustodyStep.id",
    )

    @property
    def outcome(self) -> str | None:
        return self.status if self.status in OUTCOMES else None

    @property
    def walked_in(self) -> bool:
        """Brought to a desk without a declaration: an agent recorded it (WALK_IN), and
        its owner, if any, was named by them."""
        return bool(self.steps) and self.steps[0].step == WALK_IN

    @property
    def wipe_request_stands(self) -> bool:
        """Whether the owner's request for a certified wipe still awaits an agent (or
        was met): asked at declaring, and the declaration neither withdrawn nor closed
        unbrought. `wipe_requested` keeps the owner's answer as given; a device never
        handed in has no data for anyone to wipe, so its request no longer stands."""
        return self.wipe_requested and self.status not in NEVER_HANDED_IN

    @property
    def closed_by_the_portal_after(self) -> int | None:
        """How many days after its declaration the portal closed it, its device never
        brought (`services.close_unbrought_returns`); None when it did not (open, or
        closed by an agent)."""
        if self.status != NOT_BROUGHT:
            return None
        closure = next((s for s in reversed(self.steps) if s.step == NOT_BROUGHT), None)
        if closure is None or not closure.by_the_portal:
            return None
        return (closure.at - self.declared_at).days


class CustodyStep(db.Model):
    """One link of the chain of custody, timed and signed by whoever did it."""

    __tablename__ = "recycling_custody_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(
        ForeignKey("recycling_device_return.id", ondelete="CASCADE"), index=True
    )
    # declared, received, wiped, an outcome, withdrawn (by the person, before receipt),
    # not_brought (closed by an agent, or by the portal: the device never came) or
    # receipt_undo (a receipt undone by an agent, its reason in `note`, empty once the
    # owner is erased)
    step: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # The agent's name when they signed; empty for the owner's steps (OWNER_STEPS) and
    # once the agent's account is erased (`services.erase_signed_steps` signs the step
    # again without it). Signed since SIGNED_CHAIN; an older step shows its account's name.
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    # HMAC of the step's facts: a later edit of the row no longer verifies.
    signature: Mapped[str] = mapped_column(String(64))
    # Which payload the signature covers: 1 for the steps signed before SIGNED_CHAIN.
    signed_as: Mapped[int] = mapped_column(SmallInteger, default=SIGNED_CHAIN, server_default="1")
    wipe_method: Mapped[str | None] = mapped_column(String(30))
    wipe_date: Mapped[date | None] = mapped_column(Date)
    certificate_number: Mapped[str | None] = mapped_column(String(64))
    # Free text staff wrote (an outcome's note, an undone receipt's reason): never signed,
    # emptied on the owner's erasure (`services.erase_returns`).
    note: Mapped[str] = mapped_column(String(250), default="")
    # The language the note was written in (its author's interface language then): read
    # in the other language, it is marked so, as an organiser's reason is (RGAA 8.7).
    note_lang: Mapped[str | None] = mapped_column(String(8))
    # An outcome that hands the device over (LEAVES_THE_ADMINISTRATION): the organisation
    # that received it and its hand-over slip number (optional). Signed when set
    # (`services._step_payload`), and kept on the owner's erasure: they name no person.
    # NULL on every other step, and on the outcomes recorded before 18 December.
    recipient: Mapped[str | None] = mapped_column(String(120))
    handover_slip: Mapped[str | None] = mapped_column(String(64))
    # A correction step (CORRECTION): the step it corrects, which field, the value before
    # and after, and the agent's reason, all signed (`services._step_payload`). NULL on
    # every other step. The reason is emptied, and the step signed again, with the
    # owner's data (`services.erase_returns`).
    # Indexed: deleting steps looks up the corrections naming each one, and without it
    # SQLite scanned the table once per step deleted (seconds for a few thousand).
    corrects_id: Mapped[int | None] = mapped_column(
        ForeignKey("recycling_custody_step.id", ondelete="SET NULL"), index=True
    )
    corrected_field: Mapped[str | None] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(120))
    new_value: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(String(250))

    device_return: Mapped[DeviceReturn] = relationship(back_populates="steps")
    # Who signed a step recorded before SIGNED_CHAIN: its name was not signed.
    actor: Mapped[User | None] = relationship(viewonly=True)

    @property
    def by_the_portal(self) -> bool:
        """Recorded by the portal itself, no agent signing: a declaration closed by the
        daily job, its device never brought. An agent's erased account keeps its id, so
        an agent's step never loses its `actor_id`."""
        return self.step == NOT_BROUGHT and self.actor_id is None

    @property
    def corrections(self) -> list["CustodyStep"]:
        """The correction steps of its chain that correct this step, in the order signed."""
        return [
            s for s in self.device_return.steps
            if s.step == CORRECTION and s.corrects_id == self.id
        ]  # fmt: skip

    def current(self, field: str) -> str | None:
        """A correctable field's value as it stands: as signed here, or as last corrected."""
        value = getattr(self, field)
        for correction in self.corrections:
            if correction.corrected_field == field:
                value = correction.new_value
        return value

    @property
    def corrected_step(self) -> "CustodyStep | None":
        """The step a correction step corrects (None for every other step)."""
        if self.corrects_id is None:
            return None
        return next((s for s in self.device_return.steps if s.id == self.corrects_id), None)
