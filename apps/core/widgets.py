from django import forms


class DateInput(forms.DateInput):
    """A date typed as 2026-11-22 (UI.md), the same in every browser and language."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": "YYYY-MM-DD", "autocomplete": "off", "class": "date", **(attrs or {})},
            format="%Y-%m-%d",
        )
