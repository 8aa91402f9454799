"""What each role's workspace offers: its home page title and the sections of its navigation.

A section either links to a page that exists or is shown as "not available yet" (href None); the
navigation never links to a page that is not built.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradecover.parties.roles import ROLE_TITLES, OrganisationKind, Role


@dataclass(frozen=True, slots=True)
class Section:
    """One area of a workspace: a page that exists (href) or one still to come (href None).

    An href may name `{organisation_id}`: the signed-in user's organisation.
    """

    label: str
    description: str
    href: str | None = None

    @property
    def available(self) -> bool:
        """True when the page exists."""
        return self.href is not None


@dataclass(frozen=True, slots=True)
class Workspace:
    """A role's home: the heading it shows, a one-line purpose and its sections."""

    role: Role
    heading: str
    purpose: str
    sections: tuple[Section, ...]

    @property
    def role_title(self) -> str:
        """The role's name as users read it."""
        return ROLE_TITLES[self.role]


ORGANISATIONS_PATH = "/admin/organisations"
API_KEYS_PATH = "/account/api-keys"
PASSWORD_PATH = "/account/password"  # noqa: S105 - a page path
BUYERS_PATH = "/buyers"
ALERTS_PATH = "/alerts"
QUOTES_PATH = "/quotes"
POLICIES_PATH = "/policies"
PRODUCTS_PATH = "/products"
APPETITE_PATH = "/appetite"
LIMITS_PATH = "/limits"
REFERRALS_PATH = "/underwriting/referrals"
DECLARATIONS_PATH = "/declarations"
RISK_PATH = "/risk"
PROGRAMMES_PATH = "/programmes"
SUBSIDIES_PATH = "/subsidies"
BENEFICIARIES_PATH = "/programmes/beneficiaries"
POOLS_PATH = "/pools"
INVOICES_PATH = "/invoices"
# Claims and financing pages.
OVERDUES_PATH = "/overdues"
CLAIMS_PATH = "/claims"
CLAIMS_QUEUE_PATH = "/claims/queue"
RECOVERIES_PATH = "/claims/recoveries"
SERVICE_LEVELS_PATH = "/claims/service-levels"
FACILITIES_PATH = "/financing/facilities"
BORROWING_BASE_PATH = "/financing/borrowing-base"
ASSIGNED_POLICIES_PATH = "/financing/policies"
# Oversight: one page per audience, its sections anchored by their keys.
OVERSIGHT_REGULATOR_PATH = "/oversight/regulator"
OVERSIGHT_INSURER_PATH = "/oversight/insurer"
OVERSIGHT_PROGRAMME_PATH = "/oversight/programme"
OVERSIGHT_BANK_PATH = "/oversight/bank"

KIND_TITLES: dict[OrganisationKind, str] = {
    OrganisationKind.INSURER: "Insurer",
    OrganisationKind.POLICYHOLDER: "Policyholder",
    OrganisationKind.BANK: "Bank",
    OrganisationKind.PROGRAMME_BODY: "Programme body",
    OrganisationKind.REGULATOR: "Regulator",
    OrganisationKind.PLATFORM_OPERATOR: "Platform operator",
    OrganisationKind.POOL: "Coinsurance pool",
}

# Most powerful first: a user with several roles lands on the first one's home.
ROLE_PRECEDENCE: tuple[Role, ...] = (
    Role.PLATFORM_ADMIN,
    Role.INSURER_ADMIN,
    Role.UNDERWRITER,
    Role.CLAIMS_HANDLER,
    Role.BANK_OFFICER,
    Role.PROGRAMME_OFFICER,
    Role.REGULATOR,
    Role.POLICYHOLDER,
)


def _soon(label: str, description: str) -> Section:
    return Section(label, description)


WORKSPACES: dict[Role, Workspace] = {
    Role.POLICYHOLDER: Workspace(
        Role.POLICYHOLDER,
        "Your trade credit cover",
        "Insure your receivables: ask for buyer limits, declare shipments, report overdues and claim.",
        (
            Section(
                "Get quotes",
                "One request to every insurer; compare their answers and accept one",
                QUOTES_PATH,
            ),
            Section("My policies", "Your policies, their terms and versions", POLICIES_PATH),
            Section("Buyer limits", "Ask for cover on a buyer and follow the decision", LIMITS_PATH),
            Section(
                "Shipments & payments",
                "Declare shipments and payments, one by one or in bulk; exposure per buyer",
                DECLARATIONS_PATH,
            ),
            Section("Overdues", "Report overdue invoices, ask for extensions, see stoppages", OVERDUES_PATH),
            Section(
                "Claims", "File a claim with its documents; follow the indemnity and payment", CLAIMS_PATH
            ),
            Section("Premium invoices", "Monthly premium, with the subsidy share shown", INVOICES_PATH),
            Section("Subsidies", "Programmes you are eligible for and what they paid", SUBSIDIES_PATH),
            Section("Financing", "Bank facilities backed by your policy", FACILITIES_PATH),
            Section("Buyers", "The buyer registry: grades and grade history", BUYERS_PATH),
            Section("Alerts", "Grade changes and limit cuts on your buyers", ALERTS_PATH),
        ),
    ),
    Role.UNDERWRITER: Workspace(
        Role.UNDERWRITER,
        "Underwriting desk",
        "Decide the credit limit requests referred to you and watch the risk on your buyers.",
        (
            Section(
                "Referral queue",
                "Limit requests above the automatic bands, waiting for a decision",
                REFERRALS_PATH,
            ),
            Section("Credit limits", "The limits your insurer has granted, reduced or declined", LIMITS_PATH),
            Section("Quote requests", "Requests to quote on; adjust and send your drafts", QUOTES_PATH),
            Section("Policies", "The policies your insurer underwrites", POLICIES_PATH),
            Section(
                "Premium invoices", "Premium invoiced, paid and overdue; your pool shares", INVOICES_PATH
            ),
            Section("Buyers & grades", "Buyer and country grades, grade changes and alerts", BUYERS_PATH),
            Section("Alerts", "Grade changes and limit events on your book", ALERTS_PATH),
            _soon("Capacity", "Remaining capacity by buyer, country and sector"),
            Section("Coinsurance pools", "Your share of the pools' policies and limits", POOLS_PATH),
            Section("Portfolio risk", "Expected loss, VaR and stress results of the book", RISK_PATH),
            Section(
                "Oversight",
                "Your book and pool shares: coverage, premium, claims, workloads",
                OVERSIGHT_INSURER_PATH,
            ),
        ),
    ),
    Role.CLAIMS_HANDLER: Workspace(
        Role.CLAIMS_HANDLER,
        "Claims desk",
        "Handle overdues and claims within the service levels, and follow recoveries.",
        (
            Section(
                "Claims queue",
                "Claims filed, their documents and the 30-day decision clock",
                CLAIMS_QUEUE_PATH,
            ),
            Section("Overdues", "Reported overdues, extensions and stoppages", OVERDUES_PATH),
            Section("Recoveries", "Money recovered after payment and how it is shared", RECOVERIES_PATH),
            Section("Service levels", "Actual decision and payment times", SERVICE_LEVELS_PATH),
            Section(
                "Oversight",
                "Your book and pool shares: coverage, premium, claims, workloads",
                OVERSIGHT_INSURER_PATH,
            ),
        ),
    ),
    Role.INSURER_ADMIN: Workspace(
        Role.INSURER_ADMIN,
        "Insurer administration",
        "Run your insurer on the platform: staff, products and rates, pool shares.",
        (
            Section("Users", "Your staff and their roles", "/admin/organisations/{organisation_id}"),
            Section(
                "Products & rates", "Policy templates, rate tables and preferential rates", PRODUCTS_PATH
            ),
            Section(
                "Appetite & capacity",
                "Countries and sectors you refer or decline; capacity in total, per country, per sector",
                APPETITE_PATH,
            ),
            Section("Quote requests", "Requests to quote on and your answers", QUOTES_PATH),
            Section("Premium invoices", "Invoice a month, record payments, credit notes", INVOICES_PATH),
            Section("Coinsurance pools", "Your shares, capacity and leadership commission", POOLS_PATH),
            Section("Claims", "Claims on your book and your pool shares; pay your part", CLAIMS_PATH),
            Section(
                "Oversight",
                "Policies, limits in force, premium and claims of your book",
                OVERSIGHT_INSURER_PATH,
            ),
            Section("Portfolio risk", "Expected loss, VaR and stress results of the book", RISK_PATH),
        ),
    ),
    Role.BANK_OFFICER: Workspace(
        Role.BANK_OFFICER,
        "Receivables finance",
        "Lend against insured receivables on the policies assigned to your bank.",
        (
            Section(
                "Assigned policies",
                "Policies whose indemnity is assigned to your bank",
                ASSIGNED_POLICIES_PATH,
            ),
            Section(
                "Borrowing base", "Insured, not overdue receivables within their limits", BORROWING_BASE_PATH
            ),
            Section("Facilities & drawings", "Facilities, drawings and repayments", FACILITIES_PATH),
            Section(
                "Claims", "Claims on assigned policies: their proceeds repay your loans first", CLAIMS_PATH
            ),
            Section("Alerts", "Limit cuts and overdues on financed buyers", ALERTS_PATH),
            Section(
                "Oversight", "Financed receivables, borrowing bases, claims and alerts", OVERSIGHT_BANK_PATH
            ),
        ),
    ),
    Role.PROGRAMME_OFFICER: Workspace(
        Role.PROGRAMME_OFFICER,
        "Subsidy programmes",
        "Define premium subsidy programmes and follow their budgets and beneficiaries.",
        (
            Section("Programmes", "Rates, caps, eligibility rules and modes", PROGRAMMES_PATH),
            Section(
                "Budgets & commitments",
                "What is committed and spent against each budget; payments and CSV exports",
                PROGRAMMES_PATH,
            ),
            Section("Beneficiaries", "Enterprises enrolled in your programmes", BENEFICIARIES_PATH),
            Section(
                "Oversight",
                "Enrolments, subsidy against budget, firms by tier, growth of subsidised firms",
                OVERSIGHT_PROGRAMME_PATH,
            ),
        ),
    ),
    Role.REGULATOR: Workspace(
        Role.REGULATOR,
        "Market supervision",
        "Read-only view of the market: coverage, growth, claims, exposures and stress results.",
        (
            Section(
                "Coverage & growth",
                "Insured turnover and limits in force, year on year",
                OVERSIGHT_REGULATOR_PATH,
            ),
            Section(
                "Claims & service times",
                "Claims ratio and how fast claims are paid",
                OVERSIGHT_REGULATOR_PATH + "#section-claims",
            ),
            Section(
                "Exposures & stress",
                "Country exposures and tariff-shock scenarios",
                OVERSIGHT_REGULATOR_PATH + "#section-exposure",
            ),
            Section(
                "Portfolio risk",
                "Run the market's book: VaR, ES and stress by country, sector and insurer",
                RISK_PATH,
            ),
            Section(
                "Reports",
                "Printable reports and CSV exports",
                OVERSIGHT_REGULATOR_PATH + "#reports",
            ),
        ),
    ),
    Role.PLATFORM_ADMIN: Workspace(
        Role.PLATFORM_ADMIN,
        "Platform administration",
        "Operate the installation: register organisations and give their people access.",
        (
            Section("Organisations", "Insurers, policyholders, banks, programme bodies", ORGANISATIONS_PATH),
            Section(
                "Market oversight",
                "The whole market as the regulator sees it: coverage, claims, exposures, pools",
                OVERSIGHT_REGULATOR_PATH,
            ),
            _soon("System health", "Database, ledger reconciliation and background jobs"),
        ),
    ),
}


def primary_role(roles: frozenset[Role]) -> Role:
    """The role whose home a user lands on."""
    for role in ROLE_PRECEDENCE:
        if role in roles:
            return role
    raise ValueError("a user without roles has no workspace")


def ordered_roles(roles: frozenset[Role]) -> tuple[Role, ...]:
    """The user's roles, primary first."""
    return tuple(role for role in ROLE_PRECEDENCE if role in roles)
