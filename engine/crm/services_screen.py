"""ServiceScreen triggers and chat (docs/globals.md): the screen's HTML
elements (getHtmlElement and HtmlElement), the screen functions, MainMenu,
and the chat functions.

A screen's elements are the fixture's `site: screen:` list plus one text
element per `NAME.value` key of the event's InputValues (the catalog's
ServiceScreen input keys: `x.value`, `x.displayValue`). What a script
changes is visible in the response's OutputValues:

    NAME.value / NAME.errorMessage / NAME.infoMessage / NAME.disabled /
    NAME.notEditable / NAME.FIELD      an element's new value and state
    page.title, page.onLoad, page.refresh, page.focusFirstControl, hidden.NAME
    screen.elements                     the element names, in order, after an add or remove
    screen.actions                      addAction's buttons, as JSON
    mainMenu                            the main menu after a change, as JSON

Chat functions write the chat tables of the run's database (a new
chat_message row, a session's status) and put a Sent of kind "chat" in the
outbox, so a case asserts them with `expect: outbox:`.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import CRMScriptRuntimeError
from ..runtime.collections import Map
from ..runtime.table import LIBRARY, builtin
from .outbox import send
from .schema import suggest
from .services_site import run_state, site_of

# The documented element types (getScreenElementType): number -> name; getTypeName() is "Html" + name.
ELEMENT_TYPES = {
    1: "AnchorLine", 2: "InfoFields", 3: "Grid", 4: "HR", 5: "BR", 6: "SubHeader", 7: "ParserCode",
    8: "Messages", 9: "EjScript", 10: "HtmlGrid", 11: "Planner", 12: "StaticGrid", 13: "DrillDown",
    14: "GenericGrid", 15: "InfoFields2", 16: "ExtraTableEntriesGrid", 17: "DirectedAcyclicGraph",
    101: "Text", 102: "Textarea", 103: "SelectCategory", 104: "SelectCustomer", 105: "SelectCompany",
    106: "SelectDate", 107: "SelectDateTime", 108: "SelectTime", 109: "ButtonRow", 110: "Checkbox",
    111: "Editor", 112: "Invoice", 113: "SelectUser", 114: "SelectExtraField", 115: "Select", 116: "SendTo",
    117: "SelectReplyTemplate", 118: "SelectTimeSpan", 119: "SelectRelation", 120: "SelectPriority", 121: "Cc",
    122: "Attachment", 123: "SelectSlevel", 124: "Customers", 125: "SelectFaq", 126: "SelectDictionaryLang",
    127: "Button", 128: "SelectMultipleRelations", 129: "TreeExplorer", 130: "PinEdit",
    131: "ContactRecipients", 132: "TicketStatus", 133: "SelectMessage", 134: "CategoryMembership",
    135: "AddressBook", 136: "RelatedDropdowns", 137: "SelectTicketStatus", 138: "SelectTable",
    139: "FckEdit", 140: "Where", 141: "SelectInsertText", 142: "RadioButtons",
    201: "Fieldset", 202: "LayoutTable", 203: "Panes", 204: "Pane", 205: "VerticalTable", 301: "GroupEnd",
}
TEXT_ELEMENT = 101
_TRUE_TEXTS = ("1", "true", "on", "yes", "checked")


class HtmlElement:
    """One element of the screen: its name, type, configuration and value."""

    __slots__ = ("name", "type", "id", "config", "value", "fields", "tab_index", "screen")

    def __init__(self, name: str = "", type_: int = TEXT_ELEMENT, id_: int = 0,
                 config: dict[str, str] | None = None, value: str = "") -> None:
        self.name, self.type, self.id = name, type_, id_
        self.config = dict(config or {})
        self.value = value
        self.fields: dict[str, str] = {}
        self.tab_index = 0
        self.screen: Screen | None = None  # the screen it is on: its changes reach that run's response

    def __repr__(self) -> str:
        return f"HtmlElement({self.name!r}, {self.value!r})"


class Screen:
    """The elements of the run's screen and where their changes are shown."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.elements: list[HtmlElement] = []
        self.actions: list[dict[str, Any]] = []
        self.described = False  # the fixture or the event named elements: an unknown name is an error
        for entry in site_of(ctx).get("screen", []):
            self.add(HtmlElement(entry["name"], entry.get("type", TEXT_ELEMENT), entry.get("id", 0),
                                 entry.get("config"), entry.get("value", "")))
        inputs = ctx.event.InputValues
        for key, value in inputs.items():
            name, _, field = key.rpartition(".")
            if not name or field not in ("value", "displayValue"):
                continue
            element = self.find(name) or self.add(HtmlElement(name))
            if field == "value":
                element.value = value
            else:
                element.fields["displayValue"] = value
        for element in self.elements:  # NAME.FIELD input keys are the element's fields
            prefix = element.name + "."
            element.fields.update({k[len(prefix):]: v for k, v in inputs.items() if k.startswith(prefix)})
        self.described = bool(self.elements)

    def add(self, element: HtmlElement, position: int | None = None) -> HtmlElement:
        element.screen = self
        if position is None or not 0 <= position <= len(self.elements):
            self.elements.append(element)
        else:
            self.elements.insert(position, element)
        return element

    def find(self, name: str) -> HtmlElement | None:
        return next((e for e in self.elements if e.name == name), None)

    def at(self, index: int, member: str) -> HtmlElement:
        if not 0 <= index < len(self.elements):
            raise CRMScriptRuntimeError(f"{member}: no element at index {index} (the screen has "
                                        f"{len(self.elements)})")
        return self.elements[index]

    def show(self, key: str, value: str) -> None:
        self.ctx.event.OutputValues[key] = value

    def show_elements(self) -> None:
        self.show("screen.elements", ",".join(e.name for e in self.elements))


def screen_of(ctx: Any) -> Screen:
    return run_state(ctx, "_screen", lambda: Screen(ctx))


def _show(element: HtmlElement, suffix: str, value: str) -> None:
    if element.screen is not None:
        element.screen.show(f"{element.name}.{suffix}", value)


def _flag(value: bool) -> str:
    return "true" if value else "false"


# ------------------------------------------------------------------ the screen functions


@builtin("HtmlElement getHtmlElement(String name)", context=True)
def get_html_element(ctx, name: str) -> HtmlElement:
    """The element of that name. On a screen nobody described (no `site:
    screen:`, no NAME.value input) every name is a new, empty element."""
    screen = screen_of(ctx)
    element = screen.find(name)
    if element is None:
        if screen.described:
            raise CRMScriptRuntimeError(f"getHtmlElement: the screen has no element '{name}'"
                                        f"{suggest(name, [e.name for e in screen.elements])}")
        element = screen.add(HtmlElement(name))
    return element


@builtin("Integer getHtmlElementIndex(String name)", context=True)
def get_html_element_index(ctx, name: str) -> int:
    """Its index, or -1 when the screen has no element of that name."""
    elements = screen_of(ctx).elements
    return next((i for i, e in enumerate(elements) if e.name == name), -1)


@builtin("String getHtmlElementName(Integer index)", context=True)
def get_html_element_name(ctx, index: int) -> str:
    return screen_of(ctx).at(index, "getHtmlElementName").name


@builtin("Integer getNumHtmlElements()", context=True)
def get_num_html_elements(ctx) -> int:
    return len(screen_of(ctx).elements)


@builtin("String getScreenElementName(Integer index)", context=True)
def get_screen_element_name(ctx, index: int) -> str:
    return screen_of(ctx).at(index, "getScreenElementName").name


@builtin("Integer getScreenElementId(Integer index)", context=True)
def get_screen_element_id(ctx, index: int) -> int:
    return screen_of(ctx).at(index, "getScreenElementId").id


@builtin("Integer getScreenElementType(Integer index)", context=True)
def get_screen_element_type(ctx, index: int) -> int:
    return screen_of(ctx).at(index, "getScreenElementType").type


@builtin("Map getScreenElementConfig(Integer index)", context=True)
def get_screen_element_config(ctx, index: int) -> Map:
    return Map.from_pairs(screen_of(ctx).at(index, "getScreenElementConfig").config.items())


def _config_from_text(text: str) -> dict[str, str]:
    """The screen definition's line-based configuration: `name = value` per line."""
    config = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip():
            config[name.strip()] = value.strip()
    return config


def _add(ctx, id_: int, name: str, type_: int, config: dict[str, str], position: int | None) -> HtmlElement:
    screen = screen_of(ctx)
    element = screen.add(HtmlElement(name, type_, id_, config), position)
    screen.show_elements()
    return element


@builtin("HtmlElement addHtmlElement(Integer id, String name, Integer type, Map config)", context=True)
def add_html_element_map(ctx, id_: int, name: str, type_: int, config: Map) -> HtmlElement:
    return _add(ctx, id_, name, type_, dict(config.items()), None)


@builtin("HtmlElement addHtmlElement(Integer id, String name, Integer type, Map config, Integer position)",
         context=True)
def add_html_element_map_at(ctx, id_: int, name: str, type_: int, config: Map, position: int) -> HtmlElement:
    return _add(ctx, id_, name, type_, dict(config.items()), position)


@builtin("HtmlElement addHtmlElement(Integer id, String name, Integer type, String config)", context=True)
def add_html_element_text(ctx, id_: int, name: str, type_: int, config: str) -> HtmlElement:
    return _add(ctx, id_, name, type_, _config_from_text(config), None)


@builtin("HtmlElement addHtmlElement(Integer id, String name, Integer type, String config, Integer position)",
         context=True)
def add_html_element_text_at(ctx, id_: int, name: str, type_: int, config: str, position: int) -> HtmlElement:
    return _add(ctx, id_, name, type_, _config_from_text(config), position)


@builtin("Void removeHtmlElement(Integer index)", context=True)
def remove_html_element(ctx, index: int) -> None:
    screen = screen_of(ctx)
    screen.at(index, "removeHtmlElement").screen = None
    del screen.elements[index]
    screen.show_elements()


@builtin("Void addAction(String button, String script, Bool doCheck)", context=True)
def add_action(ctx, button: str, script: str, do_check: bool) -> None:
    screen = screen_of(ctx)
    screen.actions.append({"button": button, "script": script, "doCheck": do_check})
    screen.show("screen.actions", json.dumps(screen.actions))


@builtin("Void setFromCgi()", context=True)
@builtin("Void SetFromCgi()", context=True)
def set_from_cgi(ctx) -> None:
    """Every element takes its value from the request (its NAME.value input or CGI variable)."""
    for element in screen_of(ctx).elements:
        html_element_set_from_cgi(ctx, element)


def _page_setter(key: str, doc: str):
    def setter(ctx, value: Any) -> None:
        screen_of(ctx).show(key, _flag(value) if isinstance(value, bool) else str(value))

    setter.__doc__ = doc
    return setter


for _decl, _key in (("Void {}PageTitle(String title)", "page.title"),
                    ("Void {}PageOnLoad(String onLoad)", "page.onLoad"),
                    ("Void {}PageRefresh(Integer seconds)", "page.refresh"),
                    ("Void {}PageFocusFirstControl(Bool p0)", "page.focusFirstControl")):
    _impl = _page_setter(_key, f"Shown in the response's OutputValues as `{_key}`.")
    builtin(_decl.format("set"), context=True)(_impl)
    builtin(_decl.format("Set"), context=True)(_impl)


@builtin("Void setHidden(String name, String value)", context=True)
@builtin("Void SetHidden(String name, String value)", context=True)
def set_hidden(ctx, name: str, value: str) -> None:
    screen_of(ctx).show(f"hidden.{name}", value)


# ------------------------------------------------------------------ HtmlElement


@builtin("HtmlElement HtmlElement()")
def html_element_new() -> HtmlElement:
    return HtmlElement()


@builtin("String HtmlElement.toString()")
def html_element_to_string(self: HtmlElement) -> str:
    return self.value


@builtin("Integer HtmlElement.toInteger()")
def html_element_to_integer(self: HtmlElement) -> int:
    """Its value as a number; 0 when it is not one."""
    try:
        return int(self.value.strip())
    except ValueError:
        return 0


@builtin("Bool HtmlElement.toBool()")
def html_element_to_bool(self: HtmlElement) -> bool:
    return self.value.strip().lower() in _TRUE_TEXTS


@builtin("Bool HtmlElement.isEmpty()")
def html_element_is_empty(self: HtmlElement) -> bool:
    return not self.value


@builtin("String HtmlElement.getTypeName()")
def html_element_get_type_name(self: HtmlElement) -> str:
    return "Html" + ELEMENT_TYPES.get(self.type, "Element")


@builtin("String HtmlElement.getFieldValue(String field)")
def html_element_get_field_value(self: HtmlElement, field: str) -> str:
    """A field of the element: the input `NAME.FIELD`, or what setFieldValue set; "value" is its value."""
    return self.value if field == "value" else self.fields.get(field, "")


@builtin("Void HtmlElement.setFieldValue(String name, Map values)")
def html_element_set_field_value(self: HtmlElement, name: str, values: Map) -> None:
    """Each pair of the map: NAME.FIELD.KEY in the OutputValues; a map with one pair sets the field itself."""
    pairs = values.items()
    self.fields[name] = pairs[0][1] if len(pairs) == 1 else ",".join(v for _, v in pairs)
    for key, value in pairs:
        _show(self, f"{name}.{key}", value)


@builtin("Void HtmlElement.setValue(String value)")
def html_element_set_value(self: HtmlElement, value: str) -> None:
    self.value = value
    _show(self, "value", value)


@builtin("Void HtmlElement.clearValue()")
def html_element_clear_value(self: HtmlElement) -> None:
    html_element_set_value(self, "")


@builtin("Void HtmlElement.setErrorMessage(String errorMessage)")
def html_element_set_error_message(self: HtmlElement, message: str) -> None:
    _show(self, "errorMessage", message)


@builtin("Void HtmlElement.setInfoMessage(String infoMessage)")
def html_element_set_info_message(self: HtmlElement, message: str) -> None:
    _show(self, "infoMessage", message)


@builtin("Void HtmlElement.setDisabled(Bool invisible)")
def html_element_set_disabled(self: HtmlElement, disabled: bool) -> None:
    _show(self, "disabled", _flag(disabled))


@builtin("Void HtmlElement.setNotEditable(Bool canEdit)")
def html_element_set_not_editable(self: HtmlElement, not_editable: bool) -> None:
    _show(self, "notEditable", _flag(not_editable))


@builtin("Void HtmlElement.setFromCgi()", context=True)
def html_element_set_from_cgi(ctx, self: HtmlElement) -> None:
    """Its value from the request: the input NAME.value, else the CGI variable NAME."""
    from .services_site import get_cgi_variable

    value = ctx.event.InputValues.get(f"{self.name}.value")
    self.value = value if value is not None else get_cgi_variable(ctx, self.name)


@builtin("Integer HtmlElement.getNextTabIndex()")
def html_element_get_next_tab_index(self: HtmlElement) -> int:
    self.tab_index += 1
    return self.tab_index


@builtin("String HtmlElement.getTabIndexString()")
def html_element_get_tab_index_string(self: HtmlElement) -> str:
    return html_element_get_tab_index_string_no_id(self, False)


@builtin("String HtmlElement.getTabIndexString(Bool noId)")
def html_element_get_tab_index_string_no_id(self: HtmlElement, no_id: bool) -> str:
    """` tabindex="N"` for the element's next index (with its id unless noId and it is the first)."""
    index = html_element_get_next_tab_index(self)
    if no_id and index == 1:
        return f' tabindex="{index}"'
    return f' id="{self.name}" tabindex="{index}"'


LIBRARY.register_class("HtmlElement", HtmlElement, default=HtmlElement)

# ------------------------------------------------------------------ MainMenu


class MainMenu:
    """The navigator: groups of items. Changes are shown as OutputValues `mainMenu` (JSON)."""

    __slots__ = ("groups", "ctx")

    def __init__(self, ctx: Any = None) -> None:
        self.groups: list[dict[str, Any]] = []
        self.ctx = ctx

    def changed(self) -> None:
        if self.ctx is not None:
            self.ctx.event.OutputValues["mainMenu"] = json.dumps(self.groups)

    def group(self, index: int) -> dict[str, Any]:
        if not self.groups:  # an item added to an empty menu opens a group
            self.groups.append({"label": "", "image": "", "onClick": "", "items": []})
        if index < 0 or index >= len(self.groups):
            index = len(self.groups) - 1
        return self.groups[index]


@builtin("MainMenu getMainMenu()", context=True)
def get_main_menu(ctx) -> MainMenu:
    """The run's one MainMenu (empty at first: the product's standard groups are not modelled)."""
    return run_state(ctx, "_main_menu", lambda: MainMenu(ctx))


@builtin("MainMenu MainMenu()")
def main_menu_new() -> MainMenu:
    return MainMenu()


def _insert(items: list, entry: dict, position: int) -> None:
    if 0 <= position < len(items):
        items.insert(position, entry)
    else:
        items.append(entry)


@builtin("Void MainMenu.addGroup(String label, String image)")
def menu_add_group(self: MainMenu, label: str, image: str) -> None:
    menu_add_group_on_click(self, label, image, -1, "")


@builtin("Void MainMenu.addGroup(String label, String image, Integer position)")
def menu_add_group_at(self: MainMenu, label: str, image: str, position: int) -> None:
    menu_add_group_on_click(self, label, image, position, "")


@builtin("Void MainMenu.addGroup(String label, String image, Integer position, String onClick)")
def menu_add_group_on_click(self: MainMenu, label: str, image: str, position: int, on_click: str) -> None:
    _insert(self.groups, {"label": label, "image": image, "onClick": on_click, "items": []}, position)
    self.changed()


@builtin("Void MainMenu.addItem(String label, String url)")
def menu_add_item(self: MainMenu, label: str, url: str) -> None:
    menu_add_item_icon(self, label, url, -1, -1, "", "", "", "")


@builtin("Void MainMenu.addItem(String label, String url, Integer group, Integer position)")
def menu_add_item_at(self: MainMenu, label: str, url: str, group: int, position: int) -> None:
    menu_add_item_icon(self, label, url, group, position, "", "", "", "")


@builtin("Void MainMenu.addItem(String label, String url, Integer group, Integer position, String onClick, "
         "String itemId, String target)")
def menu_add_item_full(self: MainMenu, label: str, url: str, group: int, position: int, on_click: str,
                       item_id: str, target: str) -> None:
    menu_add_item_icon(self, label, url, group, position, on_click, item_id, target, "")


@builtin("Void MainMenu.addItem(String label, String url, Integer group, Integer position, String onClick, "
         "String itemId, String target, String iconUrl)")
def menu_add_item_icon(self: MainMenu, label: str, url: str, group: int, position: int, on_click: str,
                       item_id: str, target: str, icon_url: str) -> None:
    """group -1 (or out of range): the last group."""
    entry = {"label": label, "url": url, "onClick": on_click, "itemId": item_id or label,
             "target": target, "iconUrl": icon_url}
    _insert(self.group(group)["items"], entry, position)
    self.changed()


@builtin("Void MainMenu.clear()")
def menu_clear(self: MainMenu) -> None:
    self.groups.clear()
    self.changed()


@builtin("Void MainMenu.deleteGroup(Integer index)")
def menu_delete_group(self: MainMenu, index: int) -> None:
    if 0 <= index < len(self.groups):
        del self.groups[index]
        self.changed()


@builtin("Void MainMenu.deleteItem(Integer group, Integer index)")
def menu_delete_item(self: MainMenu, group: int, index: int) -> None:
    if 0 <= group < len(self.groups) and 0 <= index < len(self.groups[group]["items"]):
        del self.groups[group]["items"][index]
        self.changed()


@builtin("String MainMenu.getGroupId(Integer group)")
def menu_get_group_id(self: MainMenu, group: int) -> str:
    return self.groups[group]["label"] if 0 <= group < len(self.groups) else ""


@builtin("Integer MainMenu.getGroupIndex(String label)")
def menu_get_group_index(self: MainMenu, label: str) -> int:
    return next((i for i, g in enumerate(self.groups) if g["label"] == label), -1)


@builtin("String MainMenu.getItemId(Integer group, Integer pos)")
def menu_get_item_id(self: MainMenu, group: int, pos: int) -> str:
    if 0 <= group < len(self.groups) and 0 <= pos < len(self.groups[group]["items"]):
        return self.groups[group]["items"][pos]["itemId"]
    return ""


@builtin("Integer MainMenu.getItemIndex(Integer group, String label)")
def menu_get_item_index(self: MainMenu, group: int, label: str) -> int:
    if not 0 <= group < len(self.groups):
        return -1
    items = self.groups[group]["items"]
    return next((i for i, item in enumerate(items) if label in (item["itemId"], item["label"])), -1)


@builtin("Integer MainMenu.getNumGroups()")
def menu_get_num_groups(self: MainMenu) -> int:
    return len(self.groups)


@builtin("Integer MainMenu.getNumItems(Integer group)")
def menu_get_num_items(self: MainMenu, group: int) -> int:
    return len(self.groups[group]["items"]) if 0 <= group < len(self.groups) else 0


LIBRARY.register_class("MainMenu", MainMenu, default=MainMenu)

# ------------------------------------------------------------------ chat

CHAT_STATUS_IN_QUEUE = 4


def _chat_write(ctx: Any, sql: str, params: tuple, table: str) -> int:
    session = ctx.crm
    database = session.database
    database.ensure_table(session.schema.table(table))
    database.begin_write()
    return database.execute(sql, params).lastrowid


@builtin("Integer addChatMessage(Integer sessionId, String message, Integer type, String author, "
         "Integer specialType, String specialParams)", context=True)
def add_chat_message(ctx, session_id: int, message: str, type_: int, author: str, special_type: int,
                     special_params: str) -> int:
    return add_chat_message_when(ctx, session_id, message, type_, author, special_type, special_params, None)


@builtin("Integer addChatMessage(Integer sessionId, String message, Integer type, String author, "
         "Integer specialType, String specialParams, DateTime whenPosted)", context=True)
def add_chat_message_when(ctx, session_id: int, message: str, type_: int, author: str, special_type: int,
                          special_params: str, when_posted: Any) -> int:
    """A new chat_message row (its id is returned) and a Sent of kind "chat" in the outbox."""
    from ..runtime.datetimes import now_datetime

    when = str(when_posted if when_posted is not None else now_datetime(ctx))
    message_id = _chat_write(
        ctx, "INSERT INTO chat_message (session_id, message, type, author, special_type, special_param, "
             "when_posted) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (session_id, message, type_, author, special_type, special_params, when), "chat_message")
    send(ctx, "chat", "addChatMessage", sessionId=session_id, message=message, type=type_, author=author,
         specialType=special_type, specialParams=special_params, whenPosted=when, id=message_id)
    return message_id


def _set_session_status(ctx: Any, session_id: int, status: int) -> None:
    _chat_write(ctx, "UPDATE chat_session SET status = ? WHERE id = ?", (status, session_id), "chat_session")


@builtin("Void setChatStatus(Integer sessionId, Integer status)", context=True)
@builtin("Void SetChatStatus(Integer sessionId, Integer status)", context=True)
def set_chat_status(ctx, session_id: int, status: int) -> None:
    _set_session_status(ctx, session_id, status)
    send(ctx, "chat", "setChatStatus", sessionId=session_id, status=status)


@builtin("Void resetChat(Integer sessionId)", context=True)
def reset_chat(ctx, session_id: int) -> None:
    """Back in the queue (status 4, StatusInQueue) with the bot off; the topic's own routing is not modelled."""
    _set_session_status(ctx, session_id, CHAT_STATUS_IN_QUEUE)
    _chat_write(ctx, "UPDATE chat_session SET chatbot_isactive = 0 WHERE id = ?", (session_id,), "chat_session")
    send(ctx, "chat", "resetChat", sessionId=session_id)


@builtin("Void setUserIsTyping(Integer sessionId, Bool isTyping)", context=True)
def set_user_is_typing(ctx, session_id: int, is_typing: bool) -> None:
    send(ctx, "chat", "setUserIsTyping", sessionId=session_id, isTyping=is_typing)
