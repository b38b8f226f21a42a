"""Generate the base_crm pack's demo records (``metacrm/vertical_packs/base_crm/demo/*.json``).

Run once and commit the output: installs never use randomness, so every
installation gets the same records. The seed is fixed; dates are written
relative (``{"_days_from_today": -40}``) and resolved at install, so the
pipeline always looks current. No Faker: small hand-written name lists keep
the data believable and the script dependency-free.

    python bench/generate_base_crm_demo.py
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "metacrm" / "vertical_packs" / "base_crm" / "demo"
SEED = 20261125

#: Stage → (probability %, forecast category, closed, won): Salesforce's sample stages.
STAGES = {
    "Prospecting": (10, "Pipeline", False, False), "Qualification": (10, "Pipeline", False, False),
    "Needs Analysis": (20, "Pipeline", False, False), "Value Proposition": (50, "Pipeline", False, False),
    "Id. Decision Makers": (60, "Pipeline", False, False), "Perception Analysis": (70, "Best Case", False, False),
    "Proposal/Price Quote": (75, "Best Case", False, False), "Negotiation/Review": (90, "Commit", False, False),
    "Closed Won": (100, "Closed", True, True), "Closed Lost": (0, "Omitted", True, False),
}
OPEN_STAGES = [s for s, v in STAGES.items() if not v[2]]

PREFIXES = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Northwind", "Contoso", "Fabrikam", "Tailspin",
            "Blue Yonder", "Litware", "Proseware", "Adatum", "Coho", "Wingtip", "Fourth Coffee", "Lucerne", "Margie's",
            "Alpine", "Woodgrove", "Trey", "Relecloud", "VanArsdel", "Humongous", "Wide World", "Southridge", "Graphic",
            "Bellows", "Nod", "Lamna", "Consolidated", "Pinnacle", "Summit", "Riverbend", "Silverline", "Granite",
            "Evergreen", "Harborview", "Ironwood", "Juniper", "Keystone", "Lakeshore", "Meridian", "Northstar",
            "Oakridge", "Redwood", "Sterling", "Tidewater", "Upland"]
SUFFIXES = ["Corp", "Inc.", "Ltd", "Group", "Holdings", "Industries", "Systems", "Partners", "Labs", "Logistics"]
INDUSTRIES = ["Banking", "Consulting", "Education", "Energy", "Finance", "Healthcare", "Hospitality", "Insurance",
              "Manufacturing", "Media", "Retail", "Technology", "Telecommunications", "Transportation", "Real Estate"]
CITIES = [("Boston", "MA", "02110", "United States"), ("Austin", "TX", "78701", "United States"),
          ("Chicago", "IL", "60601", "United States"), ("Seattle", "WA", "98101", "United States"),
          ("Denver", "CO", "80202", "United States"), ("Atlanta", "GA", "30303", "United States"),
          ("Toronto", "ON", "M5H 2N2", "Canada"), ("London", "", "EC2V 7HH", "United Kingdom"),
          ("Manchester", "", "M1 1AE", "United Kingdom"), ("Dublin", "", "D02 X285", "Ireland"),
          ("Berlin", "", "10117", "Germany"), ("Amsterdam", "", "1012 JS", "Netherlands"),
          ("Sydney", "NSW", "2000", "Australia"), ("San Francisco", "CA", "94105", "United States"),
          ("New York", "NY", "10004", "United States")]
STREETS = ["Main St", "Market St", "Park Ave", "High St", "King St", "Elm St", "Harbor Blvd", "Station Rd",
           "Mill Lane", "Commerce Way", "Riverside Dr", "Oak Ave"]
FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "William", "Mia",
         "Benjamin", "Charlotte", "Lucas", "Amelia", "Henry", "Harper", "Alexander", "Evelyn", "Daniel", "Priya",
         "Wei", "Fatima", "Mateo", "Aisha", "Kenji", "Sofia", "Omar", "Chloe", "Diego", "Hannah", "Arjun", "Grace",
         "Samuel", "Leah", "Jonah", "Zoe", "Ethan", "Nora", "Ravi"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
        "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Patel",
        "Nguyen", "Kim", "Chen", "O'Brien", "Murphy", "Schmidt", "Müller", "Rossi", "Novak", "Okafor", "Haddad",
        "Tanaka", "Silva", "Kowalski", "Johansson", "Dubois", "Singh", "Cohen", "Walsh"]
TITLES = [("Chief Executive Officer", "Executive"), ("Chief Financial Officer", "Finance"),
          ("VP of Sales", "Sales"), ("Head of Operations", "Operations"), ("IT Director", "IT"),
          ("Procurement Manager", "Procurement"), ("Marketing Manager", "Marketing"), ("Office Manager", "Admin"),
          ("Senior Engineer", "Engineering"), ("Customer Success Lead", "Support")]
PRODUCTS = [("Analytics Cloud", "AN-100", "Subscription", "seat / year", "1200.00"),
            ("Sales Cloud", "SC-200", "Subscription", "seat / year", "900.00"),
            ("Service Desk", "SD-300", "Subscription", "seat / year", "780.00"),
            ("Integration Hub", "IH-400", "Software", "licence", "15000.00"),
            ("Edge Gateway", "EG-500", "Hardware", "unit", "2400.00"),
            ("Implementation Services", "PS-600", "Services", "day", "1400.00"),
            ("Premier Support", "SU-700", "Support", "year", "8000.00"),
            ("Admin Training", "TR-800", "Training", "attendee", "650.00")]
NEEDS = ["Expansion", "Renewal", "Pilot", "Rollout", "Upgrade", "Migration", "New Region", "Platform Deal",
         "Add-on Seats", "Consolidation"]
CASE_SUBJECTS = ["Cannot log in after password reset", "Report export times out", "Invoice shows the wrong amount",
                 "Gateway drops connection every night", "How do I add a new user?", "Dashboard loads slowly",
                 "Sync with ERP stopped", "Request: dark mode", "Licence count is wrong", "Email notifications not arriving",
                 "Error 500 when saving a record", "Training session rescheduling", "API rate limit questions",
                 "Data import failed halfway", "Need a copy of our contract"]


def days(n: int, time: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"_days_from_today": n}
    if time:
        out["_time"] = time
    return out


def ref(obj: str, ext: str) -> dict[str, str]:
    return {"_ref": f"{obj}:{ext}"}


def money(value: Decimal | int | float) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def generate() -> dict[str, list[dict[str, Any]]]:
    rnd = random.Random(SEED)
    out: dict[str, list[dict[str, Any]]] = {}

    out["product"] = [{"_id": code.lower(), "name": name, "product_code": code, "family": family,
                       "quantity_unit_of_measure": unit, "is_active": True,
                       "description": f"{name} ({family.lower()})"} for name, code, family, unit, _ in PRODUCTS]
    out["price_book_entry"] = []
    for name, code, _, _, price in PRODUCTS:
        for book, factor in (("Standard", Decimal(1)), ("Partner", Decimal("0.8"))):
            out["price_book_entry"].append({"_id": f"{book.lower()}-{code.lower()}", "name": f"{book} – {name}",
                                            "product": ref("product", code.lower()), "price_book": book,
                                            "unit_price": money(Decimal(price) * factor), "is_active": True})
    prices = {code.lower(): Decimal(price) for _, code, _, _, price in PRODUCTS}

    accounts = []
    for i, prefix in enumerate(PREFIXES):
        name = f"{prefix} {rnd.choice(SUFFIXES)}"
        city, state, postal, country = rnd.choice(CITIES)
        domain = prefix.lower().replace(" ", "").replace("'", "") + ".example.com"
        kind = rnd.choices(["Customer", "Prospect", "Partner", "Vendor", "Competitor"], [45, 35, 10, 6, 4])[0]
        rec = {"_id": f"acct-{i + 1:03d}", "name": name, "record_type": "Business", "type": kind,
               "industry": rnd.choice(INDUSTRIES), "phone": f"+1 555 {rnd.randint(100, 999)} {rnd.randint(1000, 9999)}",
               "website": f"https://www.{domain}", "billing_street": f"{rnd.randint(1, 999)} {rnd.choice(STREETS)}",
               "billing_city": city, "billing_state": state, "billing_postal_code": postal, "billing_country": country,
               "annual_revenue": money(rnd.randint(2, 900) * 1_000_000),
               "number_of_employees": rnd.choice([25, 60, 120, 250, 480, 900, 2400, 5200, 12000]),
               "rating": rnd.choice(["Hot", "Warm", "Cold"]), "description": f"{kind} in {city}."}
        if i >= 44:  # six subsidiaries of earlier accounts
            rec["parent"] = ref("account", f"acct-{rnd.randint(1, 20):03d}")
            rec["description"] = f"Subsidiary; {kind.lower()} in {city}."
        accounts.append((rec, domain))
    out["account"] = [a for a, _ in accounts]

    contacts: dict[str, list[str]] = {}
    out["contact"] = []
    n = 0
    for rec, domain in accounts:
        ids = []
        for j in range(4):
            n += 1
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            title, dept = TITLES[j * 2 + rnd.randint(0, 1)] if j < 4 else rnd.choice(TITLES)
            local = f"{first}.{last}".lower().replace("'", "").replace("ü", "u")
            c = {"_id": f"cont-{n:03d}", "first_name": first, "last_name": last, "account": ref("account", rec["_id"]),
                 "title": title, "department": dept, "email": f"{local}@{domain}",
                 "phone": f"+1 555 {rnd.randint(100, 999)} {rnd.randint(1000, 9999)}",
                 "mailing_city": rec["billing_city"], "mailing_country": rec["billing_country"],
                 "lead_source": rnd.choice(["Web", "Partner Referral", "Event", "Phone Inquiry", "Other"]),
                 "preferred_channel": rnd.choice(["Email", "Email", "Phone", "SMS"]),
                 "has_opted_out_of_email": rnd.random() < 0.08, "do_not_call": rnd.random() < 0.05}
            if rnd.random() < 0.4:
                c["birthdate"] = f"{rnd.randint(1958, 1998)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
            if j > 0:
                c["reports_to"] = ref("contact", ids[0])
            ids.append(c["_id"])
            out["contact"].append(c)
        contacts[rec["_id"]] = ids

    out["lead"] = []
    statuses = ["Open - Not Contacted"] * 22 + ["Working - Contacted"] * 20 + ["Closed - Not Converted"] * 12 + \
        ["Closed - Converted"] * 6
    rnd.shuffle(statuses)
    for i, status in enumerate(statuses):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        company = f"{rnd.choice(['Bright', 'Clear', 'Swift', 'True', 'Bold', 'Prime', 'Next', 'Open'])}" \
                  f"{rnd.choice(['path', 'wave', 'stone', 'field', 'works', 'point', 'bridge', 'mark'])} " \
                  f"{rnd.choice(SUFFIXES)}"
        city, state, postal, country = rnd.choice(CITIES)
        lead = {"_id": f"lead-{i + 1:03d}", "first_name": first, "last_name": last, "company": company,
                "title": rnd.choice(TITLES)[0], "email": f"{first[0]}{last}".lower().replace("'", "").replace("ü", "u")
                + f"@{company.split()[0].lower()}.example.net", "phone": f"+1 555 {rnd.randint(100, 999)} "
                f"{rnd.randint(1000, 9999)}", "status": status,
                "lead_source": rnd.choice(["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Event", "Advertisement"]),
                "rating": rnd.choice(["Hot", "Warm", "Warm", "Cold", "Cold"]), "industry": rnd.choice(INDUSTRIES),
                "number_of_employees": rnd.choice([10, 40, 150, 600, 3000]), "city": city, "state": state,
                "postal_code": postal, "country": country}
        if status == "Closed - Converted":
            lead["is_converted"] = True
            lead["converted_date"] = days(-rnd.randint(5, 200))
        out["lead"].append(lead)

    campaigns = [("camp-webinar", "Q-Series Webinar: Analytics in Practice", "Webinar", "Completed", -150, -150, 8000),
                 ("camp-summit", "Customer Summit", "Event", "Completed", -95, -93, 60000),
                 ("camp-spring-email", "Spring Upgrade Email", "Email", "Completed", -70, -40, 3000),
                 ("camp-partner", "Partner Referral Program", "Referral Program", "In Progress", -200, 120, 20000),
                 ("camp-trade-show", "Industry Trade Show", "Event", "Planned", 30, 32, 45000),
                 ("camp-summit-followup", "Customer Summit – Follow-up Emails", "Email", "Completed", -90, -60, 1500)]
    out["campaign"] = []
    for ext, name, kind, status, start, end, budget in campaigns:
        c = {"_id": ext, "name": name, "type": kind, "status": status, "start_date": days(start), "end_date": days(end),
             "budgeted_cost": money(budget), "expected_revenue": money(budget * rnd.randint(4, 12)),
             "expected_response": str(rnd.choice([2, 5, 10, 15])), "is_active": status != "Completed",
             "source_code": ext.upper().replace("-", "_")}
        if status == "Completed":
            c["actual_cost"] = money(budget * rnd.randint(80, 115) / 100)
        if ext == "camp-summit-followup":
            c["parent"] = ref("campaign", "camp-summit")
        out["campaign"].append(c)

    out["opportunity"], out["opportunity_line"], out["opportunity_contact_role"] = [], [], []
    for i in range(300):
        acct, _ = rnd.choice(accounts)
        close = rnd.randint(-365, 180)
        if close < -20:
            stage = rnd.choices(["Closed Won", "Closed Lost", rnd.choice(OPEN_STAGES[3:])], [55, 38, 7])[0]
        elif close < 0:
            stage = rnd.choices(["Closed Won", "Closed Lost", rnd.choice(OPEN_STAGES[4:])], [35, 20, 45])[0]
        else:
            stage = rnd.choice(OPEN_STAGES[: 8 if close < 60 else 5])
        probability, forecast, closed, won = STAGES[stage]
        ext = f"opp-{i + 1:03d}"
        opp = {"_id": ext, "name": f"{acct['name'].split()[0]} – {rnd.choice(NEEDS)}", "account": ref("account", acct["_id"]),
               "stage": stage, "probability": str(probability), "forecast_category": forecast,
               "close_date": days(close), "is_closed": closed, "is_won": won,
               "type": rnd.choices(["New Business", "Existing Business - Upgrade", "Existing Business - Replacement"],
                                   [55, 35, 10])[0],
               "lead_source": rnd.choice(["Web", "Partner Referral", "Event", "Phone Inquiry", "Advertisement"])}
        if rnd.random() < 0.2:
            opp["campaign"] = ref("campaign", rnd.choice([c[0] for c in campaigns]))
        if not closed:
            opp["next_step"] = rnd.choice(["Send proposal", "Schedule demo", "Security review", "Agree pricing",
                                           "Meet the CFO", "Legal review of MSA", "Pilot kickoff"])
        if i % 3 == 0:  # a third itemised with products: the amount is the lines' total
            total = Decimal(0)
            for k, code in enumerate(rnd.sample(sorted(prices), rnd.randint(1, 3))):
                qty = Decimal(rnd.choice([1, 2, 5, 10, 25, 50, 100]))
                discount = Decimal(rnd.choice([0, 0, 5, 10, 15]))
                line = {"_id": f"{ext}-line-{k + 1}", "opportunity": ref("opportunity", ext),
                        "product": ref("product", code), "price_book_entry": ref("price_book_entry", f"standard-{code}"),
                        "quantity": str(qty), "unit_price": money(prices[code])}
                if discount:
                    line["discount"] = str(discount)
                out["opportunity_line"].append(line)
                total += qty * prices[code] * (100 - discount) / 100
            opp["amount"] = money(total)
        else:
            opp["amount"] = money(rnd.randint(5, 250) * 1000)
        out["opportunity"].append(opp)
        out["opportunity_contact_role"].append(
            {"_id": f"{ext}-ocr", "opportunity": ref("opportunity", ext),
             "contact": ref("contact", rnd.choice(contacts[acct["_id"]])),
             "role": rnd.choice(["Decision Maker", "Economic Buyer", "Executive Sponsor", "Evaluator"]),
             "is_primary": True})

    out["activity"] = []
    for i in range(150):
        opp = rnd.choice(out["opportunity"])
        acct_id = opp["account"]["_ref"].split(":")[1]
        kind = rnd.choices(["Call", "Email", "Meeting", "Task"], [35, 30, 20, 15])[0]
        due = rnd.randint(-60, 30)
        done = due < 0 and rnd.random() < 0.85
        subject = {"Call": "Call about", "Email": "Email follow-up:", "Meeting": "Meeting:", "Task": "Prepare"}[kind]
        act = {"_id": f"act-{i + 1:03d}", "subject": f"{subject} {opp['name']}", "type": kind,
               "status": "Completed" if done else rnd.choice(["Not Started", "In Progress", "Waiting on someone else"]),
               "priority": rnd.choices(["High", "Normal", "Low"], [20, 65, 15])[0], "due_date": days(due),
               "who": ref("contact", rnd.choice(contacts[acct_id])),
               "what": ref("opportunity", opp["_id"]) if rnd.random() < 0.7 else ref("account", acct_id)}
        if kind == "Meeting":
            hour = rnd.choice([9, 10, 11, 14, 15, 16])
            act["start_at"] = days(due, f"{hour:02d}:00")
            act["end_at"] = days(due, f"{hour + 1:02d}:00")
            act["location"] = rnd.choice(["Video call", "Customer office", "Our office"])
        if done:
            act["completed_at"] = days(due, f"{rnd.randint(9, 17):02d}:{rnd.choice(['00', '15', '30', '45'])}")
        out["activity"].append(act)

    out["support_case"] = []
    for i in range(60):
        acct, _ = rnd.choice(accounts[:44])
        opened = rnd.randint(-120, 0)
        status = "Closed" if opened < -14 and rnd.random() < 0.8 else rnd.choice(["New", "Working", "Working", "Escalated"])
        priority = rnd.choices(["High", "Medium", "Low"], [20, 55, 25])[0]
        case = {"_id": f"case-{i + 1:03d}", "subject": rnd.choice(CASE_SUBJECTS), "status": status, "priority": priority,
                "origin": rnd.choice(["Phone", "Email", "Email", "Web", "Portal"]),
                "type": rnd.choice(["Question", "Problem", "Problem", "Feature Request", "Billing"]),
                "reason": rnd.choice(["User Education", "Installation", "Performance", "Breakdown", "Complex Functionality", "Other"]),
                "account": ref("account", acct["_id"]), "contact": ref("contact", rnd.choice(contacts[acct["_id"]])),
                "product": ref("product", rnd.choice(sorted(prices))),
                "sla_due_at": days(opened + {"High": 1, "Medium": 3, "Low": 5}[priority], "17:00"),
                "first_response_at": days(opened, f"{rnd.randint(9, 16):02d}:{rnd.randint(10, 59)}")}
        case["description"] = f"Customer reports: {case['subject'].lower()}."
        if status == "Closed":
            case["closed_at"] = days(opened + rnd.randint(0, 12), f"{rnd.randint(9, 17):02d}:00")
        out["support_case"].append(case)

    out["campaign_member"] = []
    for c in campaigns[:5]:
        members = rnd.sample(out["contact"], 14) + rnd.sample(out["lead"], 6)
        for m in members:
            responded = c[3] == "Completed" and rnd.random() < 0.35
            key = "contact" if m["_id"].startswith("cont") else "lead"
            cm = {"_id": f"{c[0]}-{m['_id']}", "campaign": ref("campaign", c[0]), key: ref(key, m["_id"]),
                  "status": ("Attended" if c[2] == "Event" else "Responded") if responded else
                  ("Planned" if c[3] == "Planned" else "Sent"), "has_responded": responded}
            if responded:
                cm["first_responded_date"] = days(c[4] + rnd.randint(0, 5))
            out["campaign_member"].append(cm)
    return out


#: File order is load order: records a file refers to are loaded by an earlier file.
ORDER = ["product", "price_book_entry", "account", "contact", "lead", "campaign", "opportunity", "opportunity_line",
         "opportunity_contact_role", "activity", "support_case", "campaign_member"]


def main() -> None:
    data = generate()
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for i, obj in enumerate(ORDER):
        path = OUT / f"{(i + 1) * 10:03d}_{obj}.json"
        path.write_text(json.dumps({"object": obj, "records": data[obj]}, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"{path.name}: {len(data[obj])} records")


if __name__ == "__main__":
    main()
