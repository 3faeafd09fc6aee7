#!/usr/bin/env python3
# check-flatpak-manifest.py: offline checks of our flatpak-builder manifests.
#
# Copyright 2026 The Spark authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-flatpak-manifest.py MANIFEST.json [EXPECTED_APP_ID]
#
# flatpak-builder itself is not needed (nor a network): this parses the JSON
# and checks what a broken manifest usually gets wrong.
#  - the required keys: app-id (or id), runtime, runtime-version, sdk,
#    command, finish-args, modules;
#  - the base display permissions and --share=network are in finish-args;
#  - every module has a name and sources; the app module (meson) is last and
#    has "run-tests": true;
#  - every source is reproducible: git sources name a tag or a commit (not a
#    bare branch), archive and file sources with a URL carry a sha256, and a
#    dir source points at the source root (the folder holding meson.build).

import json
import os
import sys

REQUIRED_FINISH_ARGS = [
    '--share=network',
    '--share=ipc',
    '--socket=fallback-x11',
    '--socket=wayland',
    '--device=dri',
]


def check(path, expected_id=None):
    errors = []

    def err(msg):
        errors.append('%s: %s' % (os.path.basename(path), msg))

    try:
        with open(path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        return ['%s: cannot parse: %s' % (path, e)]
    if not isinstance(manifest, dict):
        return ['%s: the top level is not a JSON object' % path]

    app_id = manifest.get('app-id', manifest.get('id'))
    if not app_id:
        err('missing "app-id"')
    elif expected_id and app_id != expected_id:
        err('"app-id" is %s, expected %s' % (app_id, expected_id))
    elif os.path.basename(path) != '%s.json' % app_id:
        err('the file name should be %s.json' % app_id)

    for key in ('runtime', 'runtime-version', 'sdk', 'command'):
        if not isinstance(manifest.get(key), str) or not manifest.get(key):
            err('missing or empty "%s"' % key)
    if manifest.get('runtime') not in (None, 'org.gnome.Platform', 'org.gnome.Sdk'):
        err('"runtime" should be org.gnome.Platform, not %s' % manifest.get('runtime'))
    if manifest.get('sdk') not in (None, 'org.gnome.Sdk'):
        err('"sdk" should be org.gnome.Sdk, not %s' % manifest.get('sdk'))

    finish_args = manifest.get('finish-args')
    if not isinstance(finish_args, list):
        err('missing "finish-args" list')
        finish_args = []
    for arg in REQUIRED_FINISH_ARGS:
        if arg not in finish_args:
            err('"finish-args" lacks %s' % arg)
    if '--socket=x11' in finish_args:
        err('use --socket=fallback-x11, not --socket=x11')

    modules = manifest.get('modules')
    if not isinstance(modules, list) or not modules:
        err('missing "modules" list')
        return errors

    source_root = os.path.dirname(os.path.abspath(path))
    for i, module in enumerate(modules):
        if isinstance(module, str):
            continue  # an included module file; flatpak-builder checks it
        if not isinstance(module, dict):
            err('module %d is not an object' % i)
            continue
        name = module.get('name')
        if not name:
            err('module %d has no "name"' % i)
            name = '#%d' % i
        sources = module.get('sources')
        if not isinstance(sources, list) or not sources:
            err('module %s has no "sources"' % name)
            continue
        for source in sources:
            if isinstance(source, str):
                continue
            stype = source.get('type')
            if stype == 'git':
                if not source.get('url'):
                    err('module %s: git source without "url"' % name)
                if not source.get('tag') and not source.get('commit'):
                    err('module %s: git source must be pinned with "tag" or "commit"'
                        '%s' % (name, ' (a branch moves)' if source.get('branch') else ''))
            elif stype in ('archive', 'file'):
                if source.get('url') and not source.get('sha256'):
                    err('module %s: %s source %s has no "sha256"'
                        % (name, stype, source.get('url')))
                if not source.get('url') and not source.get('path'):
                    err('module %s: %s source needs "url" or "path"' % (name, stype))
            elif stype == 'dir':
                target = os.path.normpath(os.path.join(source_root, source.get('path', '')))
                if not os.path.isfile(os.path.join(target, 'meson.build')):
                    err('module %s: dir source %s has no meson.build' % (name, target))
            elif stype in ('patch', 'shell', 'script', 'inline'):
                pass
            else:
                err('module %s: unknown source type %r' % (name, stype))

    app = modules[-1]
    if not isinstance(app, dict):
        err('the last module must be the app, not an include')
    else:
        if app.get('buildsystem') != 'meson':
            err('the last module (%s) must be the app, built with "buildsystem": "meson"'
                % app.get('name'))
        if app.get('run-tests') is not True:
            err('the app module (%s) needs "run-tests": true' % app.get('name'))
        if not any(isinstance(s, dict) and s.get('type') == 'dir' for s in app.get('sources', [])):
            err('the app module should build this checkout ("type": "dir")')
    for module in modules[:-1]:
        if isinstance(module, dict) and module.get('run-tests') and module.get('buildsystem') == 'meson' \
           and any(isinstance(s, dict) and s.get('type') == 'dir' for s in module.get('sources', [])):
            err('the app module (%s) must be the last module' % module.get('name'))

    development = any('-Ddevelopment=true' in (m.get('config-opts') or [])
                      for m in modules if isinstance(m, dict))
    if app_id and app_id.endswith('.Devel') != development:
        err('a .Devel app id goes with -Ddevelopment=true in the app module, and only it')

    return errors


def main(argv):
    if len(argv) < 2:
        print('usage: %s MANIFEST.json [EXPECTED_APP_ID]' % argv[0], file=sys.stderr)
        return 2
    errors = check(argv[1], argv[2] if len(argv) > 2 else None)
    for e in errors:
        print('error: ' + e)
    if errors:
        return 1
    print('%s: ok' % argv[1])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
