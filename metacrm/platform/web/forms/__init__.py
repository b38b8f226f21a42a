"""Forms generated from metadata: one factory, one widget module per family of field types.

``FORMS.build(compiled_object, layout, hidden=..., read_only=...)`` returns a
``RecordForm`` subclass; ``display.show`` renders a stored value. Views pass
what the user typed to the record service, which validates it.
"""

from .base import WidgetSpec
from .factory import FORMS, FormFactory, FormSection, FormSlot, RecordForm

__all__ = ["FORMS", "FormFactory", "FormSection", "FormSlot", "RecordForm", "WidgetSpec"]
