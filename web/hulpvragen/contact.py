"""Editing a hulpvraag's contactpersoon later (e.g. replacing a private phone number)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate
from werkzeug.wrappers import Response

from models import Hulpvraag, db
from web import policy
from web.hulpvragen.views import bp
from workflow import audit
from workflow.access import may_edit_contact
from workflow.engine.forms import FormField

VERPLICHT = {"required": "Dit veld is verplicht.", "null": "Dit veld is verplicht."}


class ContactSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    contactpersoon_naam = fields.String(required=True, validate=validate.Length(max=200), error_messages=VERPLICHT)
    contactpersoon_email = fields.Email(
        required=True, error_messages={**VERPLICHT, "invalid": "Vul een geldig e-mailadres in."}
    )
    contactpersoon_telefoon = fields.String(
        load_default="", validate=validate.Length(max=40, error="Gebruik hoogstens 40 tekens.")
    )

    @pre_load
    def _strip(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        return {k: v.strip() for k, v in data.items() if isinstance(v, str) and v.strip()}


def _editable_or_404(hulpvraag_id: int) -> Hulpvraag:
    hulpvraag = policy.hulpvraag_or_404(hulpvraag_id)
    if not may_edit_contact(current_user, hulpvraag):
        abort(403, "Alleen de school, de SCP of een beheerder kan de contactgegevens wijzigen.")
    return hulpvraag


def _fields(values: dict[str, Any], errors: dict[str, str]) -> list[FormField]:
    spec = [("contactpersoon_naam", "Contactpersoon", "text", True), ("contactpersoon_email", "E-mail", "email", True),
            ("contactpersoon_telefoon", "Telefoon", "text", False)]  # fmt: skip
    return [FormField(name=n, label=label, widget=w, required=r, value=values.get(n), error=errors.get(n, ""))
            for n, label, w, r in spec]  # fmt: skip


@bp.route("/<int:hulpvraag_id>/contact", methods=["GET", "POST"])
@policy.authenticated
def contact(hulpvraag_id: int) -> str | Response | tuple[str, int]:
    hulpvraag = _editable_or_404(hulpvraag_id)
    current = {
        n: getattr(hulpvraag, n) for n in ("contactpersoon_naam", "contactpersoon_email", "contactpersoon_telefoon")
    }
    if request.method == "GET":
        return render_template("hulpvragen/contact.html", h=hulpvraag, fields=_fields(current, {}), errors={})
    try:
        data = ContactSchema().load(request.form.to_dict())
    except ValidationError as exc:
        errors = {k: v[0] for k, v in exc.messages.items()} if isinstance(exc.messages, dict) else {}
        page = render_template(
            "hulpvragen/contact.html", h=hulpvraag, fields=_fields(request.form.to_dict(), errors), errors=errors
        )
        return page, 422
    changed = [n.removeprefix("contactpersoon_") for n, v in data.items() if current[n] != v]
    for name, value in data.items():
        setattr(hulpvraag, name, value)
    audit.record(current_user, "wijzigen", "hulpvraag", hulpvraag.id, dossier_id=hulpvraag.dossier_id,
                 detail=f"contactgegevens gewijzigd: {', '.join(changed) or 'niets'}")  # fmt: skip
    db.session.commit()
    flash("De contactgegevens zijn opgeslagen.", "success")
    return redirect(url_for("hulpvragen.show", hulpvraag_id=hulpvraag.id))
