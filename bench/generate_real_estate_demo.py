"""Generate the real_estate pack's demo records (``metacrm/vertical_packs/real_estate/demo/*.json``).

"Harborview Realty" (domain brief 2.7): two offices, twelve members in two teams, three split plans,
30 listings across every status (5 of them other brokers' MLS comps), 150 contacts over the Follow Up Boss
stages, buyer agreements (some expired), showings with feedback, open houses with visitors, 14 deals in every
stage (two fell through) with offers (one multiple-offer with an escalation clause), checklist templates and
the items of the deals under contract, a few overdue. Run once and commit the output: installs never use
randomness. Dates are relative (``{"_days_from_today": -40}``) so the pipeline always looks live.

    python bench/generate_real_estate_demo.py
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "metacrm" / "vertical_packs" / "real_estate" / "demo"
SEED = 20261123

FIRST = ["Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Priya", "Mateo", "Chloe", "Omar", "Grace", "Lucas", "Nina",
         "Diego", "Hana", "Caleb", "Sofia", "Ravi", "Ella", "Jonah", "Amara", "Felix", "Iris", "Marcus", "Leah"]
LAST = ["Okafor", "Nguyen", "Patel", "Garcia", "Kim", "Schmidt", "Rossi", "Cohen", "Haddad", "Larsen", "Moreau",
        "Silva", "Brennan", "Tanaka", "Walsh", "Novak", "Ibrahim", "Fischer", "Santos", "Lindqvist", "Reyes", "Park"]
STREETS = [("Harbor", "Way"), ("Cedar", "St"), ("Bayview", "Ave"), ("Pine", "Ct"), ("Marina", "Dr"), ("Alder", "Ln"),
           ("Lighthouse", "Rd"), ("Madrona", "Pl"), ("Quay", "St"), ("Seacrest", "Blvd")]
ZIPS = {"98101": "Harborview", "98103": "Harborview", "98109": "North Shore", "98112": "Madrona Heights"}
STATUS_MIX = (["Active"] * 10 + ["ComingSoon"] * 2 + ["ActiveUnderContract"] * 3 + ["Pending"] * 4 + ["Closed"] * 6
              + ["Expired"] * 2 + ["Withdrawn"] + ["Canceled"] * 2)
STAGE_MIX = (["Lead"] * 38 + ["Nurture"] * 22 + ["Hot Prospect"] * 22 + ["Active Buyer"] * 9 + ["Active Seller"] * 6
             + ["Pending"] * 9 + ["Past Client"] * 20 + ["Sphere"] * 10 + ["Closed"] * 9 + ["Trash"] * 5)
SOURCES = (["Zillow"] * 30 + ["Realtor.com"] * 15 + ["Website/IDX"] * 20 + ["Referral - Past Client"] * 12
           + ["Referral - Agent"] * 8 + ["Open House"] * 10 + ["Sign Call"] * 5)


def ref(obj: str, key: str) -> dict[str, str]:
    return {"_ref": f"{obj}:{key}"}


def days(n: int, time: str | None = None) -> dict[str, Any]:
    return {"_days_from_today": n, **({"_time": time} if time else {})}


def money(x: float | Decimal) -> str:
    return str(Decimal(str(x)).quantize(Decimal("0.01")))


def generate(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    out["office"] = [
        {"_id": "main", "office_key": "HVR-MAIN", "office_mls_id": "HVR01", "office_name": "Harborview Realty",
         "office_branch_type": "Main", "office_city": "Harborview", "office_state_or_province": "WA",
         "office_postal_code": "98101", "office_phone": "+1 206 555 0100", "office_email": "main@harborview.example",
         "office_corporate_license": "WA-CORP-20871"},
        {"_id": "north", "office_key": "HVR-NORTH", "office_mls_id": "HVR02", "office_name": "Harborview Realty North Shore",
         "office_branch_type": "Branch", "main_office": ref("office", "main"), "office_city": "North Shore",
         "office_state_or_province": "WA", "office_postal_code": "98109", "office_phone": "+1 206 555 0200"}]
    out["split_plan"] = [
        {"_id": "p70", "name": "70/30, cap $18,000", "agent_share_percent": "70", "annual_cap": "18000.00",
         "cap_period_start": days(-200), "post_cap_agent_share_percent": "100", "per_transaction_fee": "395.00"},
        {"_id": "p80", "name": "80/20, cap $12,000", "agent_share_percent": "80", "annual_cap": "12000.00",
         "cap_period_start": days(-120), "post_cap_agent_share_percent": "100", "per_transaction_fee": "395.00"},
        {"_id": "team", "name": "Team 50/50", "agent_share_percent": "70", "annual_cap": "18000.00",
         "cap_period_start": days(-200), "per_transaction_fee": "395.00", "team_share_percent": "50"}]
    roster = [("broker", "DesignatedRealtorParticipant", "main", None, "p80"),
              ("manager", "OfficeManager", "north", None, "p80"),
              *[(f"agent{i}", "RealtorSalesperson", "main" if i < 4 else "north", "Tidewater" if i < 4 else "Summit",
                 "team" if i not in (0, 4) else "p70") for i in range(8)],
              ("tc", "LicensedAssistant", "main", None, None), ("isa", "UnlicensedAssistant", "main", None, None)]
    out["member"] = []
    for n, (key, mtype, office, team, plan) in enumerate(roster):
        first, last = FIRST[n], LAST[n]
        rec = {"_id": key, "member_key": f"HVR-M{n + 1:03d}", "member_mls_id": f"HV{40100 + n}",
               "member_first_name": first, "member_last_name": last,
               "member_email": f"{first.lower()}.{last.lower()}@harborview.example",
               "member_mobile_phone": f"+1 206 555 {1100 + n:04d}", "member_type": mtype, "member_status": "Active",
               "member_state_license": f"{rng.randint(20000000, 29999999)}", "member_state_license_state": "WA",
               "member_national_association_id": f"{rng.randint(100000000, 999999999)}", "office": ref("office", office),
               "license_expiration_date": days(rng.randint(60, 700))}
        if team:
            rec["team"] = team
        if plan:
            rec["split_plan"] = ref("split_plan", plan)
        if mtype == "UnlicensedAssistant":
            rec.pop("member_state_license")
        out["member"].append(rec)
    agents = [f"agent{i}" for i in range(8)]
    out["property"] = []
    for i, status in enumerate(STATUS_MIX):
        zip_ = rng.choice(list(ZIPS))
        street, suffix = rng.choice(STREETS)
        number = rng.randint(100, 9900)
        price = rng.randrange(250_000, 1_400_000, 5_000)
        listed = -rng.randint(10, 200) if status not in ("Closed", "Expired", "Canceled") else -rng.randint(120, 360)
        sub = rng.choice(["SingleFamilyResidence"] * 5 + ["Condominium"] * 2 + ["Townhouse"] * 2 + ["Duplex"])
        beds = rng.randint(1, 2) if sub == "Condominium" else rng.randint(2, 5)
        comp = i >= 25
        rec = {"_id": f"l{i + 1:02d}", "listing_key": f"HVR-L{i + 1:04d}", "listing_id": f"HV24-00{1200 + i * 7:04d}",
               "standard_status": status, "property_type": "Residential", "property_sub_type": sub,
               "list_price": money(price), "original_list_price": money(price + rng.choice([0, 0, 10000, 25000])),
               "listing_contract_date": days(listed - 3), "on_market_date": days(listed) if status != "ComingSoon" else None,
               "expiration_date": days(listed + 180 if status != "Expired" else -rng.randint(1, 30)),
               "unparsed_address": f"{number} {street} {suffix}, {ZIPS[zip_]}, WA {zip_}",
               "street_number": str(number), "street_name": street, "street_suffix": suffix,
               "city": ZIPS[zip_], "state_or_province": "WA", "postal_code": zip_, "county_or_parish": "King",
               "country": "US", "bedrooms_total": beds, "bathrooms_total_integer": max(1, beds - rng.randint(0, 1)),
               "living_area": str(rng.randint(650, 1100) + beds * rng.randint(250, 450)), "living_area_units": "SquareFeet",
               "lot_size_acres": None if sub == "Condominium" else f"{rng.uniform(0.08, 0.6):.2f}",
               "year_built": rng.randint(1925, 2022), "garage_spaces": rng.randint(0, 2),
               "association_yn": sub in ("Condominium", "Townhouse"),
               "association_fee": money(rng.randint(180, 650)) if sub in ("Condominium", "Townhouse") else None,
               "association_fee_frequency": "Monthly" if sub in ("Condominium", "Townhouse") else None,
               "tax_annual_amount": money(price * 0.0092),
               "public_remarks": f"Light-filled {beds}-bedroom {sub.replace('SingleFamilyResidence', 'home').lower()} near the water.",
               "showing_requirements": ["AppointmentOnly", "Lockbox"] if not comp else ["CallListingOffice"],
               "list_agent": ref("member", rng.choice(agents)), "list_office": ref("office", "main"),
               "representation": "MLSOnly" if comp else "OurListing"}
        if not comp:
            rec["lockbox_code"] = f"{rng.randint(1000, 9999)}"
            rec["private_remarks"] = "Sellers motivated; prefer 30-day close."
        if status in ("ActiveUnderContract", "Pending", "Closed"):
            rec["purchase_contract_date"] = days(-rng.randint(5, 25) if status != "Closed" else listed + 40)
        if status == "Closed":
            rec.update({"close_price": money(price * rng.uniform(0.96, 1.04) // 1000 * 1000),
                        "close_date": days(listed + 75), "off_market_date": days(listed + 40),
                        "buyer_agent": ref("member", rng.choice(agents))})
        out["property"].append({k: v for k, v in rec.items() if v is not None})
    contacts = []
    for i in range(150):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        stage = STAGE_MIX[i]
        rec = {"_id": f"c{i + 1:03d}", "first_name": first, "last_name": last,
               "email": f"{first.lower()}.{last.lower()}{i}@example.com", "mobile_phone": f"+1 425 555 {2000 + i:04d}",
               "client_stage": stage, "client_lead_source": SOURCES[i % len(SOURCES)],
               "client_type": ["Seller"] if stage == "Active Seller" else rng.choice([["Buyer"], ["Buyer"], ["Buyer", "Seller"], ["Investor"]]),
               "assigned_agent": ref("member", agents[i % 8]),
               "timeframe": rng.choice(["0-3 months", "3-6 months", "6-12 months", "12+ months"]),
               "pre_approved": stage in ("Active Buyer", "Pending"),
               "last_activity_at": days(-rng.randint(0, 60), f"{rng.randint(8, 19):02d}:{rng.choice(['05', '20', '45'])}"),
               "next_follow_up_date": days(rng.randint(-3, 21))}
        if stage == "Past Client":
            rec["home_anniversary"] = days(-rng.randint(200, 1500))
        contacts.append(rec)
    out["contact"] = contacts
    buyers = [c for c in contacts if c["client_stage"] in ("Active Buyer", "Pending", "Hot Prospect")][:25]
    out["buyer_agreement"] = []
    for i, c in enumerate(buyers):
        expired = i < 3
        out["buyer_agreement"].append({
            "_id": f"a{i + 1:02d}", "contact": ref("contact", c["_id"]), "agent": c["assigned_agent"],
            "effective_date": days(-rng.randint(100, 200) if expired else -rng.randint(45, 90)),
            "expiration_date": days(-rng.randint(1, 20) if expired else rng.randint(60, 120)),
            "is_exclusive": True, "compensation_type": "Percent", "compensation_amount": rng.choice(["2.50", "2.50", "3.00"]),
            "status": "Expired" if expired else "Signed", "signed_at": days(-rng.randint(60, 200), "10:00")})
    active = [p for p in out["property"] if p["standard_status"] in ("Active", "ActiveUnderContract")]
    out["showing"] = []
    for i in range(45):
        agreement = out["buyer_agreement"][3 + i % 22]
        home = active[i % len(active)]
        day = -rng.randint(1, 40)
        hour = rng.randint(10, 18)
        rec = {"_id": f"s{i + 1:02d}", "listing": ref("property", home["_id"]), "showing_agent": agreement["agent"],
               "buyer": agreement["contact"], "showing_start": days(day, f"{hour:02d}:00"),
               "showing_end": days(day, f"{hour:02d}:45"), "showing_method": "In-Person", "showing_status": "Confirmed",
               "outcome": "Shown", "interest_level": rng.choice(["Not Interested", "Maybe", "Second Showing", "Will Write Offer"]),
               "feedback_rating": rng.randint(2, 5), "price_opinion": rng.choice(["Too High", "About Right", "Good Value"]),
               "feedback_notes": rng.choice(["Loved the kitchen.", "Too much road noise.", "Small bedrooms.", "Great light."])}
        out["showing"].append(rec)
    out["open_house"] = [{"_id": f"oh{i + 1}", "listing": ref("property", active[i]["_id"]),
                          "open_house_start": days(-14 + i * 4, "13:00"), "open_house_end": days(-14 + i * 4, "16:00"),
                          "open_house_status": "Ended" if -14 + i * 4 < 0 else "Active", "open_house_type": "Public",
                          "open_house_attended_by": "Agent", "showing_agent": active[i]["list_agent"]} for i in range(6)]
    out["open_house_visitor"] = [{"_id": f"v{i + 1:02d}", "open_house": ref("open_house", f"oh{1 + i % 6}"),
                                  "first_name": rng.choice(FIRST), "last_name": rng.choice(LAST),
                                  "email": f"visitor{i + 1}@example.com", "working_with_agent": i % 4 == 0,
                                  "consent_email": i % 3 != 0} for i in range(40)]
    out["checklist_template"] = [
        {"_id": f"t{i + 1}", "name": name, "representation_side": side, "category": cat, "anchor_field": anchor,
         "offset_days": off, "business_days": bd, "required": req, "assignee_role": who, "sort_order": i}
        for i, (name, side, cat, anchor, off, bd, req, who) in enumerate([
            ("Earnest money delivered", "Any", "Deadline", "mutual_acceptance_date", 3, True, True, "TC"),
            ("Purchase and sale agreement signed by all parties", "Any", "Document", "mutual_acceptance_date", 1, True, True, "Agent"),
            ("Inspection contingency ends", "Buyer", "Deadline", "mutual_acceptance_date", 10, False, True, "Agent"),
            ("Seller disclosure (Form 17) delivered", "Seller", "Document", "mutual_acceptance_date", 5, True, True, "Agent"),
            ("Appraisal deadline", "Any", "Deadline", "mutual_acceptance_date", 21, False, False, "TC"),
            ("Financing contingency ends", "Buyer", "Deadline", "mutual_acceptance_date", 30, False, True, "TC"),
            ("Final walk-through", "Buyer", "Task", "projected_close_date", -1, False, False, "Agent"),
            ("Closing", "Any", "Deadline", "projected_close_date", 0, False, True, "TC")])]
    deals = [("New", "Buyer", None), ("Agreement Signed", "Buyer", None), ("Showing", "Buyer", None),
             ("Offer Submitted", "Buyer", None), ("Under Contract", "Buyer", "l16"), ("Under Contract", "Seller", "l17"),
             ("Clear to Close", "Buyer", "l18"), ("Closed", "Seller", "l20"), ("Closed", "Buyer", "l21"),
             ("Fell Through", "Buyer", None), ("Fell Through", "Seller", None), ("Pre-Listing", "Seller", None),
             ("Active", "Seller", "l01"), ("Lost", "Buyer", None)]
    out["deal"], out["offer"], out["checklist_item"], out["deal_contact_role"] = [], [], [], []
    for i, (stage, side, home) in enumerate(deals):
        agreement = out["buyer_agreement"][3 + i]
        price = rng.randrange(350_000, 1_200_000, 5_000)
        accepted = -rng.randint(3, 20)
        rec = {"_id": f"d{i + 1:02d}", "name": f"{side} deal {i + 1}", "representation_side": side, "stage": stage,
               "agent": agreement["agent"], "price": money(price), "gross_commission_percent": "2.500",
               "gross_commission_amount": money(Decimal(price) * Decimal("0.025"))}
        if home:
            rec["property"] = ref("property", home)
        if side == "Buyer":
            rec["buyer_agreement"] = ref("buyer_agreement", agreement["_id"])
        if stage in ("Under Contract", "Clear to Close", "Closed", "Fell Through"):
            rec.update({"mutual_acceptance_date": days(accepted), "earnest_money_due_date": days(accepted + 3),
                        "due_diligence_date": days(accepted + 10), "projected_close_date": days(accepted + 35),
                        "financing_type": rng.choice(["Conventional", "FHA", "VA", "Cash"])})
        if stage == "Closed":
            rec["close_date"] = days(-rng.randint(10, 90))
        if stage == "Fell Through":
            rec["fell_through_reason"] = "Inspection" if side == "Buyer" else "Financing"
        if stage == "Lost":
            rec["lost_reason"] = "Hired another agent"
        out["deal"].append(rec)
        out["deal_contact_role"].append({"_id": f"r{i + 1:02d}", "deal": ref("deal", rec["_id"]),
                                         "contact": agreement["contact"], "role": "Buyer" if side == "Buyer" else "Seller",
                                         "is_primary": True})
        if stage in ("Under Contract", "Clear to Close"):
            for t in out["checklist_template"]:
                if t["representation_side"] not in ("Any", side):
                    continue
                anchor = accepted if t["anchor_field"] == "mutual_acceptance_date" else accepted + 35
                due = anchor + t["offset_days"] + (t["offset_days"] // 5 * 2 if t["business_days"] else 0)
                status = "Approved" if stage == "Clear to Close" or (due < -2 and rng.random() < 0.7) else "Open"
                out["checklist_item"].append({
                    "_id": f"i{len(out['checklist_item']) + 1:03d}", "deal": ref("deal", rec["_id"]), "name": t["name"],
                    "template": ref("checklist_template", t["_id"]), "category": t["category"], "due_date": days(due),
                    "required": t["required"], "assignee_role": t["assignee_role"], "status": status})
    # The multiple-offer scenario on listing l02: three incoming offers, one with an escalation clause.
    for n, (amount, status, escalation) in enumerate([(710000, "Submitted", None), (725000, "Countered", None),
                                                      (715000, "Submitted", 745000)]):
        offer = {"_id": f"o{n + 1}", "property": ref("property", "l02"), "side": "Incoming",
                 "buyer_names": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "offer_amount": money(amount),
                 "earnest_money": money(amount * 0.02), "financing_type": "Conventional",
                 "contingencies": ["Inspection", "Financing"], "offer_expiration": days(2, "17:00"), "status": status}
        if escalation:
            offer.update({"escalation_clause": True, "escalation_cap": money(escalation)})
        out["offer"].append(offer)
    out["offer"].append({"_id": "o4", "deal": ref("deal", "d04"), "property": ref("property", "l03"), "side": "Outgoing",
                         "offer_amount": "515000.00", "offer_expiration": days(1, "20:00"), "status": "Submitted"})
    return out


ORDER = ["office", "split_plan", "member", "property", "contact", "buyer_agreement", "showing", "open_house",
         "open_house_visitor", "checklist_template", "deal", "deal_contact_role", "offer", "checklist_item"]


def main() -> None:
    data = generate(random.Random(SEED))
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    for n, obj in enumerate(ORDER, start=1):
        doc: dict[str, Any] = {"object": obj, "records": data[obj]}
        (OUT / f"{n * 10:03d}_{obj}.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        print(f"{obj}: {len(data[obj])}")


if __name__ == "__main__":
    main()
