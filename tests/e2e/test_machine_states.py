"""An operator on the Suzhou floor opens the molding machine's page, sees the week the machines
reported (the breakdown two days ago among it), and records that the machine is down now."""

import pytest
from playwright.sync_api import expect

from medtrace.equipment.models import Equipment
from medtrace.equipment.services import states

pytestmark = pytest.mark.e2e


def test_an_operator_sees_the_machine_week_and_records_a_breakdown(page, demo_plant, sign_in):
    machine = Equipment.objects.get(site=demo_plant.sites["SZ01"], code="IMM-01")
    sign_in("operator")
    page.goto(f"/equipment/{machine.pk}/")
    section = page.locator("#machine-state-changes")
    expect(page.locator("#machine-states")).to_have_text("Machine state")
    expect(section).to_contain_text("Hydraulic oil leak")
    expect(page.locator("main")).to_contain_text("Last 7 days")

    page.locator("#id_machine-state").select_option("down")
    page.locator("#id_machine-reason").fill("模具卡料 Jammed mould")
    page.get_by_role("button", name="Record state").click()

    expect(page.locator(".messages")).to_contain_text("IMM-01 is down (breakdown) from now.")
    expect(section.locator("tbody tr").first).to_contain_text("Jammed mould")
    assert states.current_state(machine).state == "down"
