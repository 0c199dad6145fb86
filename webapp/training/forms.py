"""Forms for the training programme: a course, a session, an attendee, an attendance file."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from webapp.forms import GovDateField, GovForm


class CourseForm(GovForm):
    title = StringField(
        "Course title",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the course title"), Length(max=200)],
    )
    outcomes = TextAreaField(
        "Learning outcomes",
        widget=GovTextArea(),
        description="One a line, up to 8. Trainees rate their confidence on each, before and "
        "after the course and at the follow-up.",
        validators=[InputRequired("Enter at least one learning outcome"), Length(max=3000)],
    )
    level = StringField(
        "Level",
        widget=GovTextInput(),
        description="For example, Level 2: multi-agency working",
        validators=[InputRequired("Enter the course level"), Length(max=100)],
    )
    learning_entry = IntegerField(
        "Learning log entry that asked for it (optional)",
        widget=GovTextInput(),
        description="The entry's number in the learning log",
        validators=[Optional(), NumberRange(min=1, message="Enter the entry's number")],
    )


class SessionForm(GovForm):
    held_on = GovDateField("Date of the session")
    is_online = BooleanField("The session is online", widget=GovCheckboxInput())
    venue = StringField(
        "Venue (if not online)", widget=GovTextInput(), validators=[Length(max=200)]
    )
    trainers = StringField(
        "Trainers",
        widget=GovTextInput(),
        validators=[InputRequired("Enter who delivers the session"), Length(max=300)],
    )
    capacity = IntegerField(
        "Places",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter how many people can attend"),
            NumberRange(min=1, max=1000, message="Enter a number of places from 1 to 1000"),
        ],
    )

    def validate_venue(self, field: StringField) -> None:
        if not self.is_online.data and not (field.data or "").strip():
            raise ValidationError("Enter the venue, or say the session is online")


class AttendeeForm(GovForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the attendee's name"), Length(max=200)],
    )
    email = StringField("Email (optional)", widget=GovTextInput(), validators=[Length(max=254)])
    organisation = StringField("Organisation", widget=GovTextInput(), validators=[Length(max=200)])


class AttendanceFileForm(GovForm):
    file = FileField(
        "Attendance file (CSV with columns name, email, organisation)", widget=GovFileInput()
    )
