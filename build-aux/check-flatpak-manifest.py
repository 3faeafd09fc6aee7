#!/usr/bin/env python3
# check-flatpak-manifest.py: offline checks of our flatpak-builder manifests.
#
# Copyright 2026 The Spark authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-flatpak-manifest.py MANIFEST.json [EXPECTED_APP_ID]
#        check-flatpak-manifest.py --self-test MANIFEST.json
#
# flatpak-builder itself is not needed (nor a network): this parses the JSON
# and checks what a broken manifest usually gets wrong.
#  - the required keys: app-id (or id), runtime, runtime-version, sdk,
#    command, finish-args, modules;
#  - the base display permissions and --share=network are in finish-args;
#  - every module has a name and sources; the app module (meson) is last and
#    has "run-tests": true;
#  - every source is reproducible: a git source names its tag AND the commit
#    that tag points at (a tag can be moved; a commit alone says nothing a
#    person can check), an archive or file source with a URL carries its
#    sha256, and a dir source points at the source root (the folder holding
#    meson.build);
#  - the sandbox stays small: no host or home file system (the project is
#    chosen through the file chooser portal), no talking to the Flatpak
#    service (that escapes the sandbox) or to the keyring daemon (libsecret
#    uses the Secret portal), no --device=all or session bus;
#  - the shell tool's sandbox: the app is built with -Dflatpak=true and
#    SPARK_BWRAP points at the flatpak-spawn helper it installs;
#  - the stable manifest follows a numbered GNOME runtime, the .Devel one
#    the nightly (master).
#
# --self-test breaks a copy of MANIFEST in each of those ways and fails unless
# every break is reported.

import copy
import json
import os
import re
import sys
import tempfile

REQUIRED_FINISH_ARGS = [
    '--share=network',
    '--share=ipc',
    '--socket=fallback-x11',
    '--socket=wayland',
    '--device=dri',
]

SANDBOX_HELPER = '/app/libexec/spark-flatpak-sandbox'

# finish-args the app must not have, and why.
FORBIDDEN_FINISH_ARGS = {
    '--filesystem=host': 'the project is chosen through the file chooser portal',
    '--filesystem=host-os': 'the project is chosen through the file chooser portal',
    '--filesystem=home': 'the project is chosen through the file chooser portal',
    '--talk-name=org.freedesktop.Flatpak': 'flatpak-spawn --host escapes the sandbox; '
                                           'the shell tool uses flatpak-spawn --sandbox',
    '--talk-name=org.freedesktop.secrets': 'libsecret uses the Secret portal inside Flatpak',
    '--device=all': '--device=dri is all the display needs',
    '--socket=session-bus': 'portals are reachable without it',
    '--socket=system-bus': 'nothing of Spark uses it',
}

HEX40 = re.compile(r'^[0-9a-f]{40}$')
HEX64 = re.compile(r'^[0-9a-f]{64}$')


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
    for arg in finish_args:
        base = arg.split(':')[0] if arg.startswith('--filesystem=') else arg
        if base in FORBIDDEN_FINISH_ARGS:
            err('"finish-args" has %s: %s' % (arg, FORBIDDEN_FINISH_ARGS[base]))
    if '--env=SPARK_BWRAP=%s' % SANDBOX_HELPER not in finish_args:
        err('"finish-args" lacks --env=SPARK_BWRAP=%s (the shell tool\'s sandbox)' % SANDBOX_HELPER)

    version = manifest.get('runtime-version')
    if isinstance(version, str) and app_id:
        if app_id.endswith('.Devel') and version != 'master':
            err('the .Devel manifest follows the nightly runtime ("master"), not %s' % version)
        if not app_id.endswith('.Devel') and not re.match(r'^[0-9]+$', version):
            err('"runtime-version" should be a stable GNOME release such as "49", not %s' % version)

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
                if not source.get('tag') or not source.get('commit'):
                    err('module %s: git source must name both "tag" and "commit"%s'
                        % (name, ' (a branch moves)' if source.get('branch') else ''))
                elif not HEX40.match(source['commit']):
                    err('module %s: "commit" %s is not a full 40-character hash'
                        % (name, source['commit']))
            elif stype in ('archive', 'file'):
                if source.get('url') and not source.get('sha256'):
                    err('module %s: %s source %s has no "sha256"'
                        % (name, stype, source.get('url')))
                elif source.get('sha256') and not HEX64.match(source['sha256']):
                    err('module %s: "sha256" of %s is not 64 hex digits'
                        % (name, source.get('url') or source.get('path')))
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

    if isinstance(app, dict) and '-Dflatpak=true' not in (app.get('config-opts') or []):
        err('the app module needs -Dflatpak=true (it installs %s)' % SANDBOX_HELPER)

    development = any('-Ddevelopment=true' in (m.get('config-opts') or [])
                      for m in modules if isinstance(m, dict))
    if app_id and app_id.endswith('.Devel') != development:
        err('a .Devel app id goes with -Ddevelopment=true in the app module, and only it')

    return errors


def self_test(path):
    """Breaks copies of the manifest at @path; each break must be reported."""
    with open(path, encoding='utf-8') as f:
        good = json.load(f)
    app_id = good.get('app-id', good.get('id'))
    here = os.path.dirname(os.path.abspath(path))

    # The copies live in a temporary folder: dir sources keep pointing at
    # the real tree.
    for module in good['modules']:
        for source in module.get('sources', []) if isinstance(module, dict) else []:
            if isinstance(source, dict) and source.get('type') == 'dir':
                source['path'] = os.path.normpath(os.path.join(here, source.get('path', '')))

    def app_module(m):
        return m['modules'][-1]

    def replace_first_library_source(m, source):
        library = next(mod for mod in m['modules'][:-1] if isinstance(mod, dict))
        library['sources'][0] = source

    def git_tag_only(m):
        replace_first_library_source(m, {'type': 'git', 'url': 'https://example.org/lib.git',
                                         'tag': 'v1.0'})

    def git_commit_only(m):
        replace_first_library_source(m, {'type': 'git', 'url': 'https://example.org/lib.git',
                                         'commit': '0' * 40})

    def git_short_commit(m):
        replace_first_library_source(m, {'type': 'git', 'url': 'https://example.org/lib.git',
                                         'tag': 'v1.0', 'commit': 'abc123'})

    def archive_without_sha256(m):
        replace_first_library_source(m, {'type': 'archive',
                                         'url': 'https://example.org/lib-1.0.tar.gz'})

    def host_filesystem(m):
        m['finish-args'].append('--filesystem=host:ro')

    def flatpak_escape(m):
        m['finish-args'].append('--talk-name=org.freedesktop.Flatpak')

    def keyring_daemon(m):
        m['finish-args'].append('--talk-name=org.freedesktop.secrets')

    def no_sandbox_helper(m):
        m['finish-args'] = [a for a in m['finish-args'] if not a.startswith('--env=SPARK_BWRAP=')]

    def no_flatpak_option(m):
        app_module(m)['config-opts'] = [o for o in app_module(m)['config-opts']
                                        if o != '-Dflatpak=true']

    def no_run_tests(m):
        app_module(m)['run-tests'] = False

    def wrong_runtime(m):
        m['runtime-version'] = '49' if app_id.endswith('.Devel') else 'master'

    breaks = [git_tag_only, git_commit_only, git_short_commit, archive_without_sha256,
              host_filesystem, flatpak_escape, keyring_daemon, no_sandbox_helper,
              no_flatpak_option, no_run_tests, wrong_runtime]
    failures = []

    errors = check(path, app_id)
    if errors:
        return ['the manifest itself does not pass: %s' % '; '.join(errors)]

    with tempfile.TemporaryDirectory() as tmp:
        copy_path = os.path.join(tmp, os.path.basename(path))
        for breaker in breaks:
            broken = copy.deepcopy(good)
            breaker(broken)
            with open(copy_path, 'w', encoding='utf-8') as f:
                json.dump(broken, f)
            errors = check(copy_path, app_id)
            if errors:
                print('ok: %s is reported: %s' % (breaker.__name__, errors[0]))
            else:
                failures.append('%s is not reported' % breaker.__name__)
    return failures


def main(argv):
    if len(argv) == 3 and argv[1] == '--self-test':
        failures = self_test(argv[2])
        for failure in failures:
            print('error: self-test: ' + failure)
        return 1 if failures else 0
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
