"""Organisation kinds and user roles (DESIGN §1), and which roles each kind of organisation may grant."""

from __future__ import annotations

import enum


class OrganisationKind(enum.StrEnum):
    """What an organisation is on the platform."""

    INSURER = "insurer"
    POLICYHOLDER = "policyholder"
    BANK = "bank"
    PROGRAMME_BODY = "programme_body"
    REGULATOR = "regulator"
    PLATFORM_OPERATOR = "platform_operator"
    # A coinsurance pool of insurers: the insurer of its policies; its leader's users act for it.
    POOL = "pool"


class Role(enum.StrEnum):
    """What a user may do for its organisation."""

    POLICYHOLDER = "policyholder"
    UNDERWRITER = "underwriter"
    CLAIMS_HANDLER = "claims_handler"
    INSURER_ADMIN = "insurer_admin"
    BANK_OFFICER = "bank_officer"
    PROGRAMME_OFFICER = "programme_officer"
    REGULATOR = "regulator"
    PLATFORM_ADMIN = "platform_admin"


ROLES_BY_KIND: dict[OrganisationKind, frozenset[Role]] = {
    OrganisationKind.INSURER: frozenset({Role.UNDERWRITER, Role.CLAIMS_HANDLER, Role.INSURER_ADMIN}),
    OrganisationKind.POLICYHOLDER: frozenset({Role.POLICYHOLDER}),
    OrganisationKind.BANK: frozenset({Role.BANK_OFFICER}),
    OrganisationKind.PROGRAMME_BODY: frozenset({Role.PROGRAMME_OFFICER}),
    OrganisationKind.REGULATOR: frozenset({Role.REGULATOR}),
    OrganisationKind.PLATFORM_OPERATOR: frozenset({Role.PLATFORM_ADMIN}),
    OrganisationKind.POOL: frozenset(),
}

ROLE_TITLES: dict[Role, str] = {
    Role.POLICYHOLDER: "Policyholder",
    Role.UNDERWRITER: "Underwriter",
    Role.CLAIMS_HANDLER: "Claims handler",
    Role.INSURER_ADMIN: "Insurer admin",
    Role.BANK_OFFICER: "Bank officer",
    Role.PROGRAMME_OFFICER: "Programme officer",
    Role.REGULATOR: "Regulator",
    Role.PLATFORM_ADMIN: "Platform admin",
}
