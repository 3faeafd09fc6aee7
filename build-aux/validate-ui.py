#!/usr/bin/env python3
# validate-ui.py: check every GtkBuilder .ui file under a folder.
#
# Copyright 2026 The Spark authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: validate-ui.py SRC_DIR [FILE.ui ...]
#
# `gtk4-builder-tool validate` cannot check our templates: it needs a display
# (GTK 4.8 crashes without one), it does not know libadwaita or GtkSourceView
# types, and it cannot know our own Spark* types. So this script checks what
# can be checked without running the app:
#
#  - the file is well-formed XML with an <interface> root;
#  - every <object class> and <template parent> is a GTK, libadwaita or
#    GtkSourceView type (looked up with GObject introspection), or a Spark*
#    type that src/ declares with G_DECLARE_* / G_DEFINE_*;
#  - every <property> and <signal> of a known type exists on it, and boolean
#    and enum values parse;
#  - every template child bound in C (gtk_widget_class_bind_template_child)
#    has a matching id in the template, and every signal handler named in a
#    template is bound with gtk_widget_class_bind_template_callback;
#  - every .ui file is listed in a GResource file, or the app cannot load it.
#
# Exit status: 0 when all files pass, 1 on any error, 77 (meson "skip") when
# the XML checks pass but GObject introspection for GTK 4 is missing, so the
# type checks could not run.

import glob
import os
import re
import sys
import xml.etree.ElementTree as ET


def load_gi():
    try:
        import gi
        gi.require_version('Gtk', '4.0')
        from gi.repository import GObject, Gtk  # noqa: F401
    except (ImportError, ValueError):
        return None
    namespaces = []  # longest C prefix first
    for ns, version, prefix in (('GtkSource', '5', 'GtkSource'),
                                ('Adw', '1', 'Adw'),
                                ('Gtk', '4.0', 'Gtk'),
                                ('Gdk', '4.0', 'Gdk'),
                                ('Gio', '2.0', 'G'),
                                ('GObject', '2.0', 'G')):
        try:
            gi.require_version(ns, version)
            module = __import__('gi.repository', fromlist=[ns])
            namespaces.append((prefix, getattr(module, ns)))
        except (ImportError, ValueError, AttributeError):
            pass
    return GObject, namespaces


class Checker:
    def __init__(self, src_dir):
        self.src_dir = src_dir
        self.errors = []
        self.warnings = []
        gi_state = load_gi()
        self.gi = gi_state is not None
        if gi_state:
            self.GObject, self.namespaces = gi_state
        self._scan_sources()

    # --- what src/ declares -------------------------------------------------

    def _scan_sources(self):
        self.spark_types = set()
        self.bound_children = {}   # type name -> set of ids
        self.bound_callbacks = set()
        self.resources = set()     # basenames listed in *.gresource.xml
        c_files = glob.glob(os.path.join(self.src_dir, '**', '*.[ch]'), recursive=True)
        declare = re.compile(r'G_(?:DECLARE|DEFINE)_\w*TYPE\w*\s*\(\s*(\w+)\s*,')
        child = re.compile(r'gtk_widget_class_bind_template_child(?:_private)?\s*\(\s*'
                           r'[^,]+,\s*(\w+)\s*,\s*(\w+)\s*\)')
        child_full = re.compile(r'gtk_widget_class_bind_template_child_full\s*\(\s*'
                                r'[^,]+,\s*"([^"]+)"')
        callback = re.compile(r'gtk_widget_class_bind_template_callback\s*\(\s*[^,]+,\s*(\w+)\s*\)')
        callback_full = re.compile(r'gtk_widget_class_bind_template_callback_full\s*\(\s*'
                                   r'[^,]+,\s*"([^"]+)"')
        self.child_full_ids = set()
        for path in c_files:
            try:
                with open(path, encoding='utf-8', errors='replace') as f:
                    text = f.read()
            except OSError:
                continue
            self.spark_types.update(declare.findall(text))
            for type_name, member in child.findall(text):
                self.bound_children.setdefault(type_name, set()).add(member)
            self.child_full_ids.update(child_full.findall(text))
            self.bound_callbacks.update(callback.findall(text))
            self.bound_callbacks.update(callback_full.findall(text))
        for path in glob.glob(os.path.join(self.src_dir, '**', '*.gresource.xml*'), recursive=True):
            try:
                root = ET.parse(path).getroot()
            except (ET.ParseError, OSError):
                continue
            for f in root.iter('file'):
                if f.text:
                    self.resources.add(os.path.normpath(
                        os.path.join(os.path.dirname(path), f.text.strip())))

    # --- type lookups ---------------------------------------------------------

    def lookup(self, class_name):
        """Return (kind, gtype-or-None); kind is 'gi', 'spark' or None."""
        if class_name in self.spark_types:
            return 'spark', None
        if not self.gi:
            return 'unknown', None
        for prefix, module in self.namespaces:
            if class_name.startswith(prefix) and len(class_name) > len(prefix):
                attr = getattr(module, class_name[len(prefix):], None)
                gtype = getattr(attr, '__gtype__', None)
                if gtype is not None and gtype.name == class_name:
                    return 'gi', gtype
        return None, None

    def pspec(self, gtype, name):
        for p in self.GObject.list_properties(gtype):
            if p.name == name:
                return p
        return None

    def has_signal(self, gtype, name):
        # Signals exist once the class is initialised; listing the properties
        # references the class (g_type_class_ref) as a side effect.
        self.GObject.list_properties(gtype)
        try:
            return self.GObject.signal_lookup(name, gtype) != 0
        except (TypeError, RuntimeError):
            return False

    # --- checks ---------------------------------------------------------------

    def error(self, path, msg):
        self.errors.append('%s: %s' % (path, msg))

    def check_value(self, path, where, pspec, value):
        G = self.GObject
        vtype = pspec.value_type
        v = (value or '').strip()
        if vtype == G.TYPE_BOOLEAN:
            if v.lower() not in ('true', 'false', 'yes', 'no', 't', 'f', 'y', 'n', '1', '0'):
                self.error(path, '%s: "%s" is not a boolean' % (where, v))
        elif vtype.is_a(G.TYPE_ENUM):
            klass_values = [(e.value_nick, e.value_name) for e in pspec.enum_class.__enum_values__.values()]
            names = {n for pair in klass_values for n in pair}
            if v not in names and not re.fullmatch(r'-?\d+', v):
                self.error(path, '%s: "%s" is not a value of %s (one of: %s)'
                           % (where, v, vtype.name, ', '.join(sorted(n for n, _ in klass_values))))
        elif vtype in (G.TYPE_INT, G.TYPE_UINT, G.TYPE_INT64, G.TYPE_UINT64, G.TYPE_LONG,
                       G.TYPE_ULONG):
            if not re.fullmatch(r'[-+]?(0x[0-9a-fA-F]+|\d+)', v):
                self.error(path, '%s: "%s" is not an integer' % (where, v))
        elif vtype in (G.TYPE_DOUBLE, G.TYPE_FLOAT):
            try:
                float(v)
            except ValueError:
                self.error(path, '%s: "%s" is not a number' % (where, v))

    def check_element(self, path, elem, gtype, label, is_template):
        for prop in elem.findall('property'):
            name = (prop.get('name') or '').replace('_', '-')
            if not name:
                self.error(path, '%s: <property> without a name' % label)
                continue
            if gtype is None:
                continue
            if prop.get('bind-source') or prop.find('object') is not None \
               or prop.find('lookup') is not None or prop.find('closure') is not None \
               or prop.find('constant') is not None:
                check_value = False
            else:
                check_value = True
            pspec = self.pspec(gtype, name)
            if pspec is None:
                if is_template:
                    # Could be a property the template's own class adds.
                    self.warnings.append('%s: %s: "%s" is not a property of %s; assuming the '
                                         'template class adds it' % (path, label, name, gtype.name))
                else:
                    self.error(path, '%s: %s has no property "%s"' % (label, gtype.name, name))
                continue
            if check_value and prop.text is not None:
                self.check_value(path, '%s property "%s"' % (label, name), pspec, prop.text)
        for sig in elem.findall('signal'):
            name = (sig.get('name') or '').split('::')[0].replace('_', '-')
            handler = sig.get('handler')
            if not name or not handler:
                self.error(path, '%s: <signal> needs a name and a handler' % label)
                continue
            if gtype is not None and not self.has_signal(gtype, name):
                if is_template:
                    self.warnings.append('%s: %s: "%s" is not a signal of %s; assuming the '
                                         'template class adds it' % (path, label, name, gtype.name))
                else:
                    self.error(path, '%s: %s has no signal "%s"' % (label, gtype.name, name))

    def check_file(self, path):
        try:
            tree = ET.parse(path)
        except ET.ParseError as e:
            self.error(path, 'not well-formed XML: %s' % e)
            return
        root = tree.getroot()
        if root.tag != 'interface':
            self.error(path, 'the root element is <%s>, not <interface>' % root.tag)
            return

        ids = set()
        for elem in root.iter():
            if elem.tag in ('object', 'template') and elem.get('id'):
                if elem.get('id') in ids:
                    self.error(path, 'duplicate id "%s"' % elem.get('id'))
                ids.add(elem.get('id'))
            if elem.tag in ('object', 'menu', 'item', 'submenu', 'section') and elem.get('id'):
                ids.add(elem.get('id'))

        handlers = []
        templates = root.findall('template')
        if len(templates) > 1:
            self.error(path, 'more than one <template>')
        for tmpl in templates:
            cls, parent = tmpl.get('class'), tmpl.get('parent')
            if not cls:
                self.error(path, '<template> without a class')
                continue
            if self.lookup(cls)[0] != 'spark':
                self.error(path, 'template class %s is not declared in src/ '
                           '(G_DECLARE_*_TYPE / G_DEFINE_*TYPE)' % cls)
            gtype = None
            if parent:
                kind, gtype = self.lookup(parent)
                if kind is None:
                    self.error(path, 'unknown template parent type %s' % parent)
            for member in sorted(self.bound_children.get(cls, ())):
                if member not in ids:
                    self.error(path, '%s binds template child "%s" in C, but the template '
                               'has no object with that id' % (cls, member))
            self.check_element(path, tmpl, gtype, 'template %s' % cls, True)
            handlers += [s.get('handler') for s in tmpl.iter('signal') if s.get('handler')]

        for obj in root.iter('object'):
            cls = obj.get('class')
            label = 'object %s' % (obj.get('id') or cls)
            if not cls:
                self.error(path, '<object> without a class')
                continue
            kind, gtype = self.lookup(cls)
            if kind is None:
                self.error(path, 'unknown type %s (not GTK, libadwaita, GtkSourceView, '
                           'nor a Spark type declared in src/)' % cls)
                continue
            self.check_element(path, obj, gtype, label, False)

        if templates:
            for handler in sorted(set(handlers)):
                if handler not in self.bound_callbacks:
                    self.error(path, 'signal handler %s is not bound with '
                               'gtk_widget_class_bind_template_callback' % handler)

        if os.path.normpath(path) not in self.resources:
            self.error(path, 'not listed in any src/**/*.gresource.xml, so the app cannot '
                       'load it')


def reexec_with_system_python(argv):
    """The python3 on PATH may be a private one (pyenv, venv) without PyGObject;
    the distribution's python3 has it."""
    system = '/usr/bin/python3'
    if os.environ.get('SPARK_VALIDATE_UI_REEXEC') or not os.path.exists(system):
        return
    if os.path.realpath(sys.executable) == os.path.realpath(system):
        return
    try:
        import gi  # noqa: F401
        return
    except ImportError:
        pass
    os.environ['SPARK_VALIDATE_UI_REEXEC'] = '1'
    os.execv(system, [system] + argv)


def main(argv):
    reexec_with_system_python(argv)
    if len(argv) < 2:
        print('usage: %s SRC_DIR [FILE.ui ...]' % argv[0], file=sys.stderr)
        return 2
    src_dir = os.path.abspath(argv[1])
    files = [os.path.abspath(f) for f in argv[2:]] or \
        sorted(glob.glob(os.path.join(src_dir, '**', '*.ui'), recursive=True))
    checker = Checker(src_dir)
    if not checker.gi:
        print('note: GObject introspection for GTK 4 is missing (Debian: python3-gi '
              'gir1.2-gtk-4.0 gir1.2-adw-1 gir1.2-gtksource-5), so types, properties '
              'and signals are not checked')
    for path in files:
        checker.check_file(path)
        print('checked %s' % os.path.relpath(path, os.path.dirname(src_dir)))
    for w in checker.warnings:
        print('warning: ' + w)
    for e in checker.errors:
        print('error: ' + e)
    print('%d .ui file(s), %d error(s), %d warning(s)'
          % (len(files), len(checker.errors), len(checker.warnings)))
    if checker.errors:
        return 1
    if not checker.gi and files:
        return 77
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
