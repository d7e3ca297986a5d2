"""The select written in Python (for busy pages' filters) matches Django's own, escaped."""

from __future__ import annotations

import re

from django import forms

from portal.widgets import FastSelect

OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')

CHOICES = [
    ("", "All organizers"),
    (1, "Ann <Admin> & Co"),
    (2, 'Bob "the builder"'),
    ("Regions", [(3, "EMEA"), (4, "APAC")]),
]


def options(html: str) -> list[tuple[str, bool, str]]:
    return [(value, bool(selected), label) for value, selected, label in OPTION.findall(html)]


def test_options_and_selection_match_djangos_select():
    ours = FastSelect(choices=CHOICES).render("organizer", 2, attrs={"id": "id_organizer"})
    django = forms.Select(choices=CHOICES).render("organizer", 2, attrs={"id": "id_organizer"})
    assert options(ours) == options(django)
    assert [o for o in options(ours) if o[1]] == [("2", True, "Bob &quot;the builder&quot;")]
    assert ours.startswith('<select id="id_organizer" name="organizer">')
    assert '<optgroup label="Regions"><option value="3">EMEA</option>' in ours


def test_labels_are_escaped():
    html = FastSelect(choices=CHOICES).render("organizer", None)
    assert "<Admin>" not in html and "Ann &lt;Admin&gt; &amp; Co" in html


def test_a_model_choice_field_renders_its_queryset(db):
    from tests.factories import OrganizerFactory

    organizer = OrganizerFactory(first_name="Zoë", last_name="<b>", email="z@example.com")

    class Form(forms.Form):
        who = forms.ModelChoiceField(
            queryset=type(organizer).objects.all(), widget=FastSelect, empty_label="Anyone"
        )

    html = str(Form({"who": organizer.pk})["who"])
    assert options(html) == [("", False, "Anyone"), (str(organizer.pk), True, "Zoë &lt;b&gt;")]


def test_a_fast_model_choice_field_lists_the_same_choices_as_djangos(db):
    from organizers.models import Group
    from portal.widgets import FastModelChoiceField
    from tests.factories import GroupFactory

    chosen = [GroupFactory(name=name) for name in ("Support", "Sales", "Marketing")][1]

    def form(field_class, **extra):
        class Form(forms.Form):
            group = field_class(
                queryset=Group.objects.order_by("name"), empty_label="All groups", **extra
            )

        return Form({"group": chosen.pk})

    djangos = options(str(form(forms.ModelChoiceField, widget=FastSelect)["group"]))
    ours = options(str(form(FastModelChoiceField)["group"]))
    assert ours == djangos
    assert [label for _, _, label in ours] == ["All groups", "Marketing", "Sales", "Support"]
    assert [label for _, selected, label in ours if selected] == ["Sales"]
    assert form(FastModelChoiceField).is_valid()


def test_organizer_options_labelled_from_rows_match_djangos(admin_user):
    """The dashboard's organizer filter labels its options from rows, not objects: the same
    options as Django's own field, named as the organizer's str() (name, else email)."""
    from meetings.forms import HistoryFilterSet
    from organizers.models import Organizer
    from tests.factories import OrganizerFactory

    OrganizerFactory(first_name="Zoë", last_name="<b>", email="z@example.com")
    chosen = OrganizerFactory(first_name="", last_name="", email="only@example.com")
    OrganizerFactory(first_name="Al", last_name="", email="al@example.com")

    class Djangos(forms.Form):
        organizer = forms.ModelChoiceField(
            queryset=Organizer.objects.order_by("last_name", "first_name", "email"),
            widget=FastSelect,
            empty_label="All organizers",
        )

    ours = HistoryFilterSet({"organizer": chosen.pk}, user=admin_user).form
    expected = options(str(Djangos({"organizer": chosen.pk})["organizer"]))
    # The whole list (fetched after the page: LazyOptionsSelect), and the page's short one.
    listed = HistoryFilterSet.organizer_select(user=admin_user, selected=str(chosen.pk))
    assert options(listed) == expected
    assert options(str(ours["organizer"])) == [
        expected[0],
        (str(chosen.pk), True, "only@example.com"),
    ]
    assert ("", False, "All organizers") in expected
    assert (str(chosen.pk), True, "only@example.com") in expected
    assert ours.is_valid() and ours.cleaned_data["organizer"] == chosen


def test_lazy_safe_and_hostile_values_come_out_as_djangos_select_writes_them():
    from django.utils.safestring import SafeString
    from django.utils.translation import gettext_lazy

    choices = [
        ("", gettext_lazy("Anyone")),
        ('"><script>alert(1)</script>', "x"),
        (7, SafeString("<b>Already safe</b>")),  # a label a caller built with format_html
        (8, "Tom & 'Jerry'"),
    ]
    ours = FastSelect(choices=choices).render("who", 7)
    django = forms.Select(choices=choices).render("who", 7)
    assert options(ours) == options(django)
    assert "<script>" not in ours and "<b>Already safe</b>" in ours
