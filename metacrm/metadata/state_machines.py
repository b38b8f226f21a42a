"""State machines and approval processes as metadata: who may move a record where, and who signs off.

A state machine hangs on one picklist field of an object: the transitions
allowed between its values, the roles that may perform each, a guard
condition, the states that lock a record and the workflow actions run on
entering or leaving a state. An approval process is a list of steps, each
with approvers (a user, the owner's manager, a role's members; any or all of
them), and the actions run when the request is finally approved, rejected
or recalled.

Like workflows these are data an admin or a pack writes, versioned with the
object; the platform enforces and runs them (``metacrm/platform/workflows``).
This module is pure: it turns documents into frozen definitions and reports,
at JSON paths with "did you mean", what cannot work. Actions reuse the
workflow action definitions and their checks, so ``on_enter`` takes exactly
what a workflow's ``actions`` takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from .errors import MetadataIssue
from .logic import check_expression_refs
from .names import did_you_mean
from .workflows import ActionDef, _check_action, action_from_json, declare_action

if TYPE_CHECKING:
    from .definitions import MetadataBundle, ObjectDef

#: ``from: "*"``: the transition leaves any state.
ANY_STATE = "*"
APPROVAL_MODES = ("any", "all")
#: Whose manager approves: only the record's owner for now (``metacrm_user.manager_id``).
MANAGER_OF = ("owner",)
#: The built-in role every admin holds (``definitions.ADMIN_ROLE``); transitions may name it.
ADMIN_ROLE = "admin"

# A workflow (or a state's on_enter) may submit the record for approval: the handler is the platform's.
declare_action("start_approval", {"process", "comment"}, required=("process",))


def _actions(docs: Any) -> tuple[ActionDef, ...]:
    return tuple(action_from_json(a) for a in docs if isinstance(a, Mapping)) if isinstance(docs, list) else ()


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else (str(value),)


# --- state machines ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TransitionDef:
    """A move from any of ``from_states`` (``"*"``: any) to any of ``to``, for ``roles`` (none: anyone
    who may edit), when ``condition`` holds; ``message`` is what a refused guard says."""

    from_states: tuple[str, ...]
    to: tuple[str, ...]
    roles: tuple[str, ...] = ()
    condition: str | None = None
    message: str | None = None

    def leaves(self, state: Any) -> bool:
        return ANY_STATE in self.from_states or state in self.from_states

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"from": self.from_states[0] if len(self.from_states) == 1 else list(self.from_states),
                               "to": list(self.to)}
        if self.roles:
            out["roles"] = list(self.roles)
        if self.condition:
            out["condition"] = self.condition
        if self.message:
            out["message"] = self.message
        return out


@dataclass(frozen=True)
class StateDef:
    """What a state does: lock the record (read-only; corrections by a reversing record), run actions."""

    locked: bool = False
    on_enter: tuple[ActionDef, ...] = ()
    on_exit: tuple[ActionDef, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.locked:
            out["locked"] = True
        if self.on_enter:
            out["on_enter"] = [a.to_json() for a in self.on_enter]
        if self.on_exit:
            out["on_exit"] = [a.to_json() for a in self.on_exit]
        return out


@dataclass(frozen=True)
class StateMachineDef:
    field: str
    transitions: tuple[TransitionDef, ...]
    initial: str | None = None
    states: Mapping[str, StateDef] = dc_field(default_factory=lambda: MappingProxyType({}))

    def moves(self, state: Any, to: Any) -> tuple[TransitionDef, ...]:
        """The transitions that take a record from ``state`` to ``to``."""
        return tuple(t for t in self.transitions if t.leaves(state) and to in t.to)

    def next_states(self, state: Any) -> tuple[str, ...]:
        """Every state a record in ``state`` may move to (before roles and guards), in definition order."""
        found: dict[str, None] = {}
        for t in self.transitions:
            if t.leaves(state):
                found.update((s, None) for s in t.to if s != state)
        return tuple(found)

    def locked(self, state: Any) -> bool:
        definition = self.states.get(state) if isinstance(state, str) else None
        return bool(definition and definition.locked)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field}
        if self.initial is not None:
            out["initial"] = self.initial
        out["transitions"] = [t.to_json() for t in self.transitions]
        states = {name: s.to_json() for name, s in self.states.items()}
        if states:
            out["states"] = states
        return out


def state_machine_from_json(doc: Mapping[str, Any]) -> StateMachineDef:
    transitions = tuple(
        TransitionDef(from_states=_strings(t.get("from", ANY_STATE)), to=_strings(t.get("to")),
                      roles=_strings(t.get("roles")), condition=t.get("condition"), message=t.get("message"))
        for t in doc.get("transitions", ()) if isinstance(t, Mapping))
    states = {str(name): StateDef(locked=bool(s.get("locked", False)), on_enter=_actions(s.get("on_enter")),
                                  on_exit=_actions(s.get("on_exit")))
              for name, s in (doc.get("states") or {}).items() if isinstance(s, Mapping)}
    return StateMachineDef(field=str(doc.get("field", "")), transitions=transitions, initial=doc.get("initial"),
                           states=MappingProxyType(states))


# --- approval processes -----------------------------------------------------------------------
@dataclass(frozen=True)
class ApproverDef:
    """Exactly one of: a user id, the manager of the record's ``owner``, the active members of a role."""

    user: int | None = None
    manager_of: str | None = None
    role: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.user is not None:
            return {"user": self.user}
        if self.manager_of is not None:
            return {"manager_of": self.manager_of}
        return {"role": self.role}


@dataclass(frozen=True)
class ApprovalStepDef:
    name: str
    approver: ApproverDef
    mode: str = "any"  # any: one approval completes the step; all: every approver must approve
    label: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.label:
            out["label"] = self.label
        out["approver"] = self.approver.to_json()
        if self.mode != "any":
            out["mode"] = self.mode
        return out


@dataclass(frozen=True)
class ApprovalProcessDef:
    name: str
    label: str
    steps: tuple[ApprovalStepDef, ...]
    entry_condition: str | None = None
    on_approve: tuple[ActionDef, ...] = ()
    on_reject: tuple[ActionDef, ...] = ()
    on_recall: tuple[ActionDef, ...] = ()
    #: The record is read-only while a request is pending (only the approval machinery writes it).
    lock: bool = True

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label}
        if self.entry_condition:
            out["entry_condition"] = self.entry_condition
        out["steps"] = [s.to_json() for s in self.steps]
        for key in ("on_approve", "on_reject", "on_recall"):
            if getattr(self, key):
                out[key] = [a.to_json() for a in getattr(self, key)]
        if not self.lock:
            out["lock"] = False
        return out


def approval_process_from_json(doc: Mapping[str, Any]) -> ApprovalProcessDef:
    steps = []
    for s in doc.get("steps", ()):
        if not isinstance(s, Mapping) or not isinstance(s.get("name"), str):
            continue
        a = s.get("approver") if isinstance(s.get("approver"), Mapping) else {}
        user = a.get("user")
        steps.append(ApprovalStepDef(
            name=s["name"], mode=s.get("mode", "any"), label=s.get("label"),
            approver=ApproverDef(user=user if isinstance(user, int) and not isinstance(user, bool) else None,
                                 manager_of=a.get("manager_of"), role=a.get("role"))))
    return ApprovalProcessDef(
        name=doc["name"], label=doc.get("label") or doc["name"].replace("_", " ").capitalize(), steps=tuple(steps),
        entry_condition=doc.get("entry_condition"), on_approve=_actions(doc.get("on_approve")),
        on_reject=_actions(doc.get("on_reject")), on_recall=_actions(doc.get("on_recall")),
        lock=bool(doc.get("lock", True)))


# --- checks ----------------------------------------------------------------------------------
def check_state_machines(obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    """Every problem of an object's state machines and approval processes, each at its JSON path.

    Roles are checked separately (:func:`check_automation_roles`), once roles are loaded too."""
    issues: list[MetadataIssue] = []
    seen: set[str] = set()
    for i, machine in enumerate(obj.state_machines):
        mpath = f"{path}.state_machines[{i}]"
        f = obj.field(machine.field)
        if f is None:
            issues.append(MetadataIssue(f"{mpath}.field", f'field "{machine.field}" does not exist on {obj.name}'
                                        f"{did_you_mean(machine.field, obj.field_names)}", "unknown_field"))
            continue
        if f.type != "picklist":
            issues.append(MetadataIssue(f"{mpath}.field", f'"{f.name}" is a {f.type} field; a state machine '
                                        "needs a picklist field", "not_a_picklist"))
            continue
        if f.name in seen:
            issues.append(MetadataIssue(f"{mpath}.field", f'"{f.name}" already has a state machine; '
                                        "an object has at most one per picklist field", "duplicate"))
        seen.add(f.name)
        choices = f.option_values

        def state_issue(where: str, value: Any) -> list[MetadataIssue]:
            if value in choices:
                return []
            return [MetadataIssue(where, f'"{value}" is not a choice of {f.name}'
                                  f"{did_you_mean(str(value), choices)}", "unknown_choice")]

        if machine.initial is not None:
            issues.extend(state_issue(f"{mpath}.initial", machine.initial))
            if f.default is not None and f.default != machine.initial:
                issues.append(MetadataIssue(f"{mpath}.initial", f'"{f.name}" defaults to "{f.default}" but new '
                                            f'records start in "{machine.initial}"; make them agree',
                                            "initial_mismatch"))
        for j, t in enumerate(machine.transitions):
            tpath = f"{mpath}.transitions[{j}]"
            for k, state in enumerate(t.from_states):
                if state != ANY_STATE:
                    where = f"{tpath}.from" if len(t.from_states) == 1 else f"{tpath}.from[{k}]"
                    issues.extend(state_issue(where, state))
            for k, state in enumerate(t.to):
                issues.extend(state_issue(f"{tpath}.to[{k}]", state))
            if t.condition:
                issues.extend(check_expression_refs(t.condition, obj, bundle, f"{tpath}.condition"))
        for name, state in machine.states.items():
            spath = f'{mpath}.states["{name}"]'
            issues.extend(state_issue(spath, name))
            for key in ("on_enter", "on_exit"):
                for k, action in enumerate(getattr(state, key)):
                    issues.extend(_checked_action(action, obj, bundle, f"{spath}.{key}[{k}]"))
    issues.extend(_check_approvals(obj, bundle, path))
    for i, wf in enumerate(obj.workflows):  # start_approval names a process of this object
        for j, action in enumerate(wf.actions):
            issues.extend(_check_start(action, obj, f"{path}.workflows[{i}].actions[{j}]"))
    return issues


def _checked_action(action: ActionDef, obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    return [*_check_action(action, obj, bundle, path), *_check_start(action, obj, path)]


def _check_start(action: ActionDef, obj: "ObjectDef", path: str) -> list[MetadataIssue]:
    if action.type != "start_approval" or "process" not in action.params:
        return []
    name = str(action.params["process"])
    known = [p.name for p in obj.approval_processes]
    if name in known:
        return []
    return [MetadataIssue(f"{path}.process", f'{obj.name} has no approval process "{name}"'
                          f"{did_you_mean(name, known)}", "unknown_process")]


def _check_approvals(obj: "ObjectDef", bundle: "MetadataBundle", path: str) -> list[MetadataIssue]:
    issues: list[MetadataIssue] = []
    names: set[str] = set()
    for i, process in enumerate(obj.approval_processes):
        ppath = f"{path}.approval_processes[{i}]"
        if process.name in names:
            issues.append(MetadataIssue(f"{ppath}.name", f'the approval process "{process.name}" is defined twice'))
        names.add(process.name)
        if process.entry_condition:
            issues.extend(check_expression_refs(process.entry_condition, obj, bundle, f"{ppath}.entry_condition"))
        steps: set[str] = set()
        for j, step in enumerate(process.steps):
            spath = f"{ppath}.steps[{j}]"
            if step.name in steps:
                issues.append(MetadataIssue(f"{spath}.name", f'the step "{step.name}" is defined twice'))
            steps.add(step.name)
            given = [k for k in ("user", "manager_of", "role") if getattr(step.approver, k) is not None]
            if len(given) != 1:
                issues.append(MetadataIssue(f"{spath}.approver", 'name exactly one of "user" (a user id), '
                                            '"manager_of" ("owner") or "role"', "invalid_approver"))
        for key in ("on_approve", "on_reject", "on_recall"):
            for k, action in enumerate(getattr(process, key)):
                issues.extend(_checked_action(action, obj, bundle, f"{ppath}.{key}[{k}]"))
    return issues


def check_automation_roles(obj: "ObjectDef", roles: Mapping[str, Any], path: str) -> list[MetadataIssue]:
    """Transitions and approval steps name defined roles (or ``admin``); run once roles are loaded too."""
    known = [*roles, ADMIN_ROLE]
    issues: list[MetadataIssue] = []

    def unknown(where: str, role: str) -> None:
        if role not in known:
            issues.append(MetadataIssue(where, f'role "{role}" does not exist{did_you_mean(role, known)}',
                                        "unknown_role"))

    for i, machine in enumerate(obj.state_machines):
        for j, t in enumerate(machine.transitions):
            for k, role in enumerate(t.roles):
                unknown(f"{path}.state_machines[{i}].transitions[{j}].roles[{k}]", role)
    for i, process in enumerate(obj.approval_processes):
        for j, step in enumerate(process.steps):
            if step.approver.role is not None:
                unknown(f"{path}.approval_processes[{i}].steps[{j}].approver.role", step.approver.role)
    return issues


def state_machine_for(obj: "ObjectDef", field: str) -> StateMachineDef | None:
    return next((m for m in obj.state_machines if m.field == field), None)


def approval_process(obj: "ObjectDef", name: str) -> ApprovalProcessDef | None:
    return next((p for p in obj.approval_processes if p.name == name), None)
