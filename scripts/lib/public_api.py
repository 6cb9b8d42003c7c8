#!/usr/bin/env python3
"""Prints a crate's public API, one sorted line per item, from rustdoc's JSON output.

Usage: public_api.py CRATE.json [--missing-examples FILE]

What a line holds: the item's kind, its public path (every path it is reachable by: a
re-export gives a line of its own), and its signature (a function's parameters and return
type, a field's type, an alias's target, a trait impl's trait). `#[deprecated]` and `unsafe`
are shown. Items hidden from the docs (`#[doc(hidden)]`) are not public API and are not listed
(rustdoc leaves them out of its JSON). Blanket impls (`impl<T> From<T> for T`...) are left out:
they come with every type; auto-trait impls (Send, Sync, Unpin...) are listed, since losing
one breaks users.

With --missing-examples FILE, it also writes to FILE the items whose docs have no example (no
fenced code block): functions, types, traits, modules, constants and macros (not methods,
fields or variants, not deprecated items). A re-exported item is checked once.
"""

import json
import sys

DEPRECATED = "#[deprecated] "
# Auto traits listed for every public type; the unstable markers Freeze, UnsafeUnpin and
# StructuralPartialEq (which comes with a derived PartialEq) left out.
UNLISTED_TRAITS = {"Freeze", "StructuralPartialEq", "UnsafeUnpin"}


def main():
    args = sys.argv[1:]
    missing_file = None
    if "--missing-examples" in args:
        i = args.index("--missing-examples")
        missing_file = args[i + 1]
        del args[i : i + 2]
    (path,) = args
    with open(path) as f:
        krate = json.load(f)
    api = Api(krate)
    api.walk_module(krate["root"], [api.crate_name()])
    for line in sorted(set(api.lines), key=lambda l: (l.removeprefix(DEPRECATED), l)):
        print(line)
    if missing_file is not None:
        with open(missing_file, "w") as f:
            for line in sorted(set(api.missing_examples)):
                print(line, file=f)


class Api:
    def __init__(self, krate):
        self.index = krate["index"]
        self.paths = krate.get("paths", {})
        self.root = krate["root"]
        self.lines = []
        self.missing_examples = []
        self.seen_modules = set()
        self.checked = set()

    def crate_name(self):
        return self.index[str(self.root)]["name"]

    def item(self, id_):
        return self.index.get(str(id_))

    # ---- walking -------------------------------------------------------------------------

    def walk_module(self, id_, path):
        key = (str(id_), "::".join(path))
        if key in self.seen_modules:
            return
        self.seen_modules.add(key)
        module = self.item(id_)
        for child_id in inner(module)["items"]:
            child = self.item(child_id)
            if child is None or not is_public(child):
                continue
            self.walk_item(child, path)

    def walk_item(self, item, path, name=None, reexport_docs=""):
        kind, body = kind_of(item)
        name = name or item.get("name")
        if kind == "use":
            self.walk_use(item, body, path)
            return
        if kind == "impl":  # impls are listed with their type
            return
        full = path + [name] if name else path
        full_s = "::".join(full)
        prefix = attrs_prefix(item)
        self.reexport_docs = reexport_docs
        if kind == "module":
            self.add(item, f"{prefix}pub mod {full_s}")
            self.walk_module(item["id"], full)
        elif kind == "function":
            self.add(item, f"{prefix}{fn_sig(body, full_s)}")
        elif kind in ("struct", "enum", "union"):
            generics = generics_params(body.get("generics"))
            where = where_clause(body.get("generics"))
            self.add(item, f"{prefix}pub {kind} {full_s}{generics}{where}")
            if kind == "struct":
                self.walk_struct_fields(body, full_s)
            elif kind == "union":
                self.walk_fields(body.get("fields", []), full_s)
            else:
                for var_id in body.get("variants", []):
                    var = self.item(var_id)
                    if var is not None:
                        self.walk_variant(var, full_s)
            for impl_id in body.get("impls", []):
                self.walk_impl(impl_id, full_s)
        elif kind == "trait":
            unsafe = "unsafe " if body.get("is_unsafe") else ""
            generics = generics_params(body.get("generics"))
            bounds = body.get("bounds") or []
            sup = ": " + " + ".join(bound(b) for b in bounds) if bounds else ""
            self.add(item, f"{prefix}pub {unsafe}trait {full_s}{generics}{sup}")
            for sub_id in body.get("items", []):
                sub = self.item(sub_id)
                if sub is not None:
                    self.walk_assoc(sub, full_s, in_trait=True)
        elif kind == "type_alias":
            generics = generics_params(body.get("generics"))
            self.add(item, f"{prefix}pub type {full_s}{generics} = {ty(body['type'])}")
        elif kind == "constant":
            value = (body.get("const") or {}).get("expr", "")
            self.add(item, f"{prefix}pub const {full_s}: {ty(body['type'])} = {value}")
        elif kind == "static":
            mut = "mut " if body.get("is_mutable") else ""
            self.add(item, f"{prefix}pub static {mut}{full_s}: {ty(body['type'])}")
        elif kind in ("macro", "proc_macro"):
            self.add(item, f"{prefix}macro {full_s}!")
        elif kind == "trait_alias":
            self.add(item, f"{prefix}pub trait {full_s} = ...")
        else:
            self.add(item, f"{prefix}pub {kind} {full_s}")

    def walk_use(self, item, body, path):
        target = self.item(body.get("id")) if body.get("id") is not None else None
        if body.get("is_glob"):
            if target is not None and kind_of(target)[0] == "module":
                self.walk_module(target["id"], path)
            else:
                self.lines.append(f"pub use {'::'.join(path)}::* = {body['source']}::*")
            return
        if target is None:  # another crate's item, re-exported
            self.lines.append(f"pub use {'::'.join(path + [body['name']])} = {body['source']}")
            return
        prefix = attrs_prefix(item)  # a deprecated re-export
        # rustdoc shows a re-export's own docs above the item's.
        self.walk_item_with_prefix(target, path, body["name"], prefix, item.get("docs") or "")

    def walk_item_with_prefix(self, item, path, name, prefix, reexport_docs=""):
        before = len(self.lines)
        self.walk_item(item, path, name, reexport_docs)
        if prefix:
            self.lines[before:] = [
                line if line.startswith(prefix) else prefix + line for line in self.lines[before:]
            ]

    def walk_struct_fields(self, body, owner):
        kind = body.get("kind")
        if isinstance(kind, dict) and "plain" in kind:
            self.walk_fields(kind["plain"].get("fields", []), owner)
        elif isinstance(kind, dict) and "tuple" in kind:
            for i, field_id in enumerate(kind["tuple"]):
                if field_id is None:
                    continue
                field = self.item(field_id)
                if field is not None and is_public(field):
                    self.lines.append(f"pub {owner}.{i}: {ty(inner(field))}")
        elif "fields" in body:  # older format versions
            self.walk_fields(body["fields"], owner)

    def walk_fields(self, ids, owner):
        for field_id in ids:
            field = self.item(field_id)
            if field is not None and is_public(field):
                self.lines.append(
                    f"{attrs_prefix(field)}pub {owner}.{field['name']}: {ty(inner(field))}"
                )

    def walk_variant(self, var, owner):
        body = inner(var)
        kind = body.get("kind")
        name = f"{owner}::{var['name']}"
        prefix = attrs_prefix(var)
        if isinstance(kind, dict) and "tuple" in kind:
            fields = [
                ty(inner(self.item(f))) if f is not None else "_" for f in kind["tuple"]
            ]
            self.lines.append(f"{prefix}pub variant {name}({', '.join(fields)})")
        elif isinstance(kind, dict) and "struct" in kind:
            self.lines.append(f"{prefix}pub variant {name} {{ .. }}")
            self.walk_fields(kind["struct"].get("fields", []), name)
        else:
            self.lines.append(f"{prefix}pub variant {name}")

    def walk_impl(self, impl_id, owner):
        impl = self.item(impl_id)
        if impl is None:
            return
        body = inner(impl)
        if body.get("blanket_impl") is not None:
            return
        trait = body.get("trait")
        if trait is None:
            for sub_id in body.get("items", []):
                sub = self.item(sub_id)
                if sub is not None and is_public(sub):
                    self.walk_assoc(sub, owner, in_trait=False)
            return
        if trait.get("path", trait.get("name")) in UNLISTED_TRAITS:
            return
        unsafe = "unsafe " if body.get("is_unsafe") else ""
        neg = "!" if body.get("is_negative") else ""
        generics = generics_params(body.get("generics"))
        where = where_clause(body.get("generics"))
        for_t = body["for"]
        if isinstance(for_t, dict) and "resolved_path" in for_t:
            # The type by its public path (a short name may be two types' name).
            for_s = owner + generic_args(for_t["resolved_path"].get("args"))
        else:
            for_s = ty(for_t)
        self.lines.append(f"impl{generics} {unsafe}{neg}{path_ty(trait)} for {for_s}{where}")

    def walk_assoc(self, sub, owner, in_trait):
        kind, body = kind_of(sub)
        full = f"{owner}::{sub['name']}"
        prefix = attrs_prefix(sub)
        if kind == "function":
            line = fn_sig(body, full)
            if in_trait and not body.get("has_body", True):
                line += " (required)"
            self.lines.append(prefix + line)
        elif kind == "assoc_const":
            self.lines.append(f"{prefix}pub const {full}: {ty(body['type'])}")
        elif kind == "assoc_type":
            target = f" = {ty(body['type'])}" if body.get("type") else ""
            bounds = body.get("bounds") or []
            sup = ": " + " + ".join(bound(b) for b in bounds) if bounds else ""
            self.lines.append(f"{prefix}pub type {full}{sup}{target}")
        else:
            self.lines.append(f"{prefix}pub {kind} {full}")

    def add(self, item, line):
        self.lines.append(line)
        if item["id"] in self.checked:
            return
        self.checked.add(item["id"])
        docs = (item.get("docs") or "") + getattr(self, "reexport_docs", "")
        if item.get("deprecation") is None and "```" not in docs:
            self.missing_examples.append(line)


# ---- items ---------------------------------------------------------------------------------


def inner(item):
    return next(iter(item["inner"].values())) if isinstance(item["inner"], dict) else {}


def kind_of(item):
    (kind,) = item["inner"].keys() if isinstance(item["inner"], dict) else [item["inner"]]
    return kind, inner(item)


def is_public(item):
    return item.get("visibility") == "public"


def attrs_prefix(item):
    out = ""
    if item.get("deprecation") is not None:
        out += DEPRECATED
    return out


def fn_sig(body, name):
    sig = body.get("sig") or body.get("decl")
    header = body.get("header", {})
    quals = ""
    if header.get("is_const") or header.get("const_"):
        quals += "const "
    if header.get("is_async") or header.get("async_"):
        quals += "async "
    if header.get("is_unsafe") or header.get("unsafe_"):
        quals += "unsafe "
    abi = header.get("abi")
    if abi not in (None, "Rust"):
        quals += f'extern "{abi if isinstance(abi, str) else next(iter(abi))}" '
    params = []
    for pname, ptype in sig["inputs"]:
        if pname == "self":
            params.append(self_param(ptype))
        else:
            params.append(f"{pname}: {ty(ptype)}")
    out = sig.get("output")
    ret = f" -> {ty(out)}" if out is not None else ""
    generics = generics_params(body.get("generics"))
    where = where_clause(body.get("generics"))
    return f"pub {quals}fn {name}{generics}({', '.join(params)}){ret}{where}"


def self_param(t):
    if isinstance(t, dict) and "generic" in t and t["generic"] == "Self":
        return "self"
    if isinstance(t, dict) and "borrowed_ref" in t:
        r = t["borrowed_ref"]
        inner_t = r["type"]
        if isinstance(inner_t, dict) and inner_t.get("generic") == "Self":
            lt = f"{r['lifetime']} " if r.get("lifetime") else ""
            return f"&{lt}{'mut ' if r.get('is_mutable', r.get('mutable')) else ''}self"
    return f"self: {ty(t)}"


def generics_params(g):
    if not g:
        return ""
    out = []
    for p in g.get("params", []):
        kind = p["kind"]
        if "lifetime" in kind:
            outlives = kind["lifetime"].get("outlives") or []
            out.append(p["name"] + (": " + " + ".join(outlives) if outlives else ""))
        elif "type" in kind:
            t = kind["type"]
            if t.get("is_synthetic", t.get("synthetic")):
                continue  # `impl Trait` in argument position
            bounds = t.get("bounds") or []
            s = p["name"]
            if bounds:
                s += ": " + " + ".join(bound(b) for b in bounds)
            if t.get("default") is not None:
                s += f" = {ty(t['default'])}"
            out.append(s)
        elif "const" in kind:
            out.append(f"const {p['name']}: {ty(kind['const']['type'])}")
    return f"<{', '.join(out)}>" if out else ""


def where_clause(g):
    if not g:
        return ""
    preds = []
    for w in g.get("where_predicates", []):
        if "bound_predicate" in w:
            b = w["bound_predicate"]
            hrtb = higher_ranked(b.get("generic_params"))
            preds.append(f"{hrtb}{ty(b['type'])}: {' + '.join(bound(x) for x in b['bounds'])}")
        elif "lifetime_predicate" in w:
            b = w["lifetime_predicate"]
            preds.append(f"{b['lifetime']}: {' + '.join(b['outlives'])}")
        elif "eq_predicate" in w:
            b = w["eq_predicate"]
            preds.append(f"{ty(b['lhs'])} == {term(b['rhs'])}")
    return f" where {', '.join(preds)}" if preds else ""


def higher_ranked(params):
    if not params:
        return ""
    return f"for<{', '.join(p['name'] for p in params)}> "


def bound(b):
    if isinstance(b, str):
        return b
    if "trait_bound" in b:
        t = b["trait_bound"]
        mod = t.get("modifier", "none")
        m = {"maybe": "?", "maybe_const": "~const "}.get(mod, "")
        return f"{higher_ranked(t.get('generic_params'))}{m}{path_ty(t['trait'])}"
    if "outlives" in b:
        return b["outlives"]
    if "use" in b:
        uses = [u if isinstance(u, str) else next(iter(u.values())) for u in b["use"]]
        return f"use<{', '.join(uses)}>"
    return json.dumps(b, sort_keys=True)


def term(t):
    if isinstance(t, dict) and "type" in t:
        return ty(t["type"])
    if isinstance(t, dict) and "constant" in t:
        return t["constant"].get("expr", "_")
    return json.dumps(t, sort_keys=True)


def path_ty(p):
    name = p.get("path", p.get("name", "?"))
    return name + generic_args(p.get("args"))


def generic_args(a):
    if not a:
        return ""
    if "angle_bracketed" in a:
        ab = a["angle_bracketed"]
        parts = []
        for x in ab.get("args", []):
            if isinstance(x, str):
                parts.append("_" if x == "infer" else x)
            elif "type" in x:
                parts.append(ty(x["type"]))
            elif "lifetime" in x:
                parts.append(x["lifetime"])
            elif "const" in x:
                parts.append(x["const"].get("expr", "_"))
        for c in ab.get("constraints", ab.get("bindings", [])):
            binding = c["binding"]
            cname = c["name"] + generic_args(c.get("args"))
            if "equality" in binding:
                parts.append(f"{cname} = {term(binding['equality'])}")
            else:
                parts.append(f"{cname}: {' + '.join(bound(x) for x in binding['constraint'])}")
        return f"<{', '.join(parts)}>" if parts else ""
    if "parenthesized" in a:
        p = a["parenthesized"]
        out = p.get("output")
        return f"({', '.join(ty(t) for t in p['inputs'])})" + (f" -> {ty(out)}" if out else "")
    return ""


def ty(t):
    if t is None:
        return "()"
    if isinstance(t, str):
        return "_" if t == "infer" else t
    (kind, v), = t.items()
    if kind == "resolved_path":
        return path_ty(v)
    if kind == "generic":
        return v
    if kind == "primitive":
        return v
    if kind == "tuple":
        return f"({', '.join(ty(x) for x in v)}{',' if len(v) == 1 else ''})"
    if kind == "slice":
        return f"[{ty(v)}]"
    if kind == "array":
        return f"[{ty(v['type'])}; {v['len']}]"
    if kind == "borrowed_ref":
        lt = f"{v['lifetime']} " if v.get("lifetime") else ""
        mut = "mut " if v.get("is_mutable", v.get("mutable")) else ""
        return f"&{lt}{mut}{ty(v['type'])}"
    if kind == "raw_pointer":
        mut = "mut" if v.get("is_mutable", v.get("mutable")) else "const"
        return f"*{mut} {ty(v['type'])}"
    if kind == "impl_trait":
        return "impl " + " + ".join(bound(b) for b in v)
    if kind == "dyn_trait":
        parts = [higher_ranked(x.get("generic_params")) + path_ty(x["trait"]) for x in v["traits"]]
        if v.get("lifetime"):
            parts.append(v["lifetime"])
        return "dyn " + " + ".join(parts)
    if kind == "qualified_path":
        trait = v.get("trait")
        self_t = ty(v["self_type"])
        trait_s = path_ty(trait) if trait else ""
        base = f"<{self_t} as {trait_s}>" if trait_s else self_t
        return f"{base}::{v['name']}{generic_args(v.get('args'))}"
    if kind == "function_pointer":
        sig = v.get("sig") or v.get("decl")
        params = ", ".join(ty(p) for _, p in sig["inputs"])
        out = sig.get("output")
        hdr = v.get("header", {})
        unsafe = "unsafe " if hdr.get("is_unsafe") or hdr.get("unsafe_") else ""
        return f"{higher_ranked(v.get('generic_params'))}{unsafe}fn({params})" + (
            f" -> {ty(out)}" if out else ""
        )
    return json.dumps(t, sort_keys=True)


if __name__ == "__main__":
    main()
