"""The integrity register's form (8.2): its lengths and ranges are the model's, which takes them from the facts
model (policy/facts.py); a bad field is shown beside the field with everything entered kept."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from zhicheng.policy.facts import BAN_YEARS_MAX, YEAR_MAX, YEAR_MIN
from zhicheng.records.models import IntegrityRecord

ID_NUMBER_LENGTH = 18  # 居民身份证号码 (GB 11643)


class IntegrityForm(forms.ModelForm[IntegrityRecord]):
    id_number = forms.CharField(label="居民身份证号码", max_length=ID_NUMBER_LENGTH, min_length=ID_NUMBER_LENGTH)

    class Meta:
        model = IntegrityRecord
        fields: ClassVar = [
            "name",
            "id_number",
            "kind",
            "found_on",
            "cancelled_year",
            "ban_years",
            "title_revoked",
            "document",
            "note",
        ]
        widgets: ClassVar = {
            "found_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
        # The browser is told the same ranges the server checks (the model's validators, from policy/facts.py).
        self.fields["cancelled_year"].widget.attrs.update(min=YEAR_MIN, max=YEAR_MAX)
        self.fields["ban_years"].widget.attrs.update(max=BAN_YEARS_MAX)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = IntegrityRecord.Kind.choices  # one of the three kinds is always chosen (no blank line)
        for field in self.fields.values():  # worded as the facts' own limits are (policy/facts.py)
            field.error_messages["max_length"] = "不能超过%(limit_value)d个字符，现为%(show_value)d个"

    def clean_id_number(self) -> str:
        try:
            return str(ric.validate(self.cleaned_data["id_number"].strip()))
        except StdnumError as exc:
            raise forms.ValidationError("居民身份证号码无效（校验位或格式错误）") from exc
