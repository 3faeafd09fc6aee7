#!/usr/bin/python3
# test-a11y.py: the main flow of Spark, walked by accessible names over AT-SPI
#
# Copyright 2026 The Spark authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Starts the built `spark` on a temporary git project, pointed at the fake
# Responses server (tests/spark-fake-server-main.c), and drives it the way a
# screen reader user would, finding every widget by its role and accessible
# name through dogtail: open a file from the tree, type a prompt, send it,
# find the proposed hunks in the review pane by file and line range, accept
# one, reject one, Apply, check the file on disk, Undo Apply, check it is
# restored. At every step the controls on screen must have a real name.
#
# Needs a display (Xvfb), the accessibility bus (at-spi2-core) and
# python3-dogtail; it runs itself under a private session bus
# (dbus-run-session) and exits 77 (skipped) only when dogtail or the
# accessibility bus is missing.
#
# Usage: test-a11y.py SPARK_BINARY FAKE_SERVER_BINARY

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SKIP = 77
TIMEOUT = 30  # seconds for any one step

PROJECT_FILES = {
    'a.c': ''.join('line %d\n' % i for i in range(1, 13)),
    'b.txt': 'alpha\nbeta\n',
}
PROMPT = 'Spell out two six and ten'

# "Hunk 2 of 3 in a.c, lines 5–7, pending"
HUNK_NAME = re.compile(r'^Hunk (\d+) of (\d+) in (.+?), '
                       r'(lines? \d+(?:–\d+)?|new file|whole file), '
                       r'(pending|accepted|rejected|edited|in conflict)$')

# Roles a person operates; each needs a real name when it is on screen.
CONTROL_ROLES = {
    'push button', 'toggle button', 'check box', 'radio button', 'combo box',
    'text', 'entry', 'password text', 'page tab', 'spin button', 'slider',
    'menu item', 'list', 'tree', 'table',
}


def note(message):
    print('# ' + message, flush=True)


def skip(reason):
    print('SKIP: ' + reason, flush=True)
    sys.exit(SKIP)


def a11y_bus_available():
    """True when the session bus answers for org.a11y.Bus (at-spi2-core)."""
    try:
        import gi
        gi.require_version('Gio', '2.0')
        from gi.repository import Gio, GLib
        bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        reply = bus.call_sync('org.a11y.Bus', '/org/a11y/bus', 'org.a11y.Bus', 'GetAddress',
                              None, GLib.VariantType.new('(s)'),
                              Gio.DBusCallFlags.NONE, 10000, None)
        return bool(reply.unpack()[0])
    except Exception as e:  # noqa: BLE001 (any failure means no bus)
        note('no accessibility bus: %s' % e)
        return False


def wait_for(what, predicate, timeout=TIMEOUT):
    """Polls @predicate until it returns something true; fails after @timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except Exception as e:  # noqa: BLE001 (AT-SPI objects come and go)
            last_error = e
        time.sleep(0.2)
    raise AssertionError('timed out waiting for %s%s'
                         % (what, ' (last error: %s)' % last_error if last_error else ''))


class FakeServer:
    """The fake Responses server in its own process; collects its requests."""

    def __init__(self, binary, streams, srcdir):
        env = dict(os.environ, G_TEST_SRCDIR=srcdir)
        self.proc = subprocess.Popen([binary, '--delay', '20000'] + streams, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline().split()
        if len(first) != 2 or first[0] != 'url':
            raise AssertionError('the fake server did not start: %r' % first)
        self.url = first[1]
        self.requests = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            if line.startswith('request '):
                self.requests.append(line[len('request '):])

    def stop(self):
        self.proc.stdin.close()  # the server exits when its input closes
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def make_project(parent):
    project = os.path.join(parent, 'project')
    os.mkdir(project)
    for name, text in PROJECT_FILES.items():
        with open(os.path.join(project, name), 'w', encoding='utf-8') as f:
            f.write(text)
    git_env = dict(os.environ, GIT_CONFIG_NOSYSTEM='1', GIT_CONFIG_GLOBAL=os.devnull,
                   HOME=parent)
    for args in (['init', '-q'], ['add', '.'],
                 ['-c', 'user.name=Spark Tests', '-c', 'user.email=tests@example.org',
                  'commit', '-q', '-m', 'Start']):
        subprocess.run(['git'] + args, cwd=project, env=git_env, check=True)
    return project


def read(project, name):
    try:
        with open(os.path.join(project, name), encoding='utf-8') as f:
            return f.read()
    except FileNotFoundError:
        return None


def spark_env(base, url):
    env = dict(os.environ)
    # The accessibility bridge is what this test is about: never off here.
    for key in ('NO_AT_BRIDGE', 'GTK_A11Y'):
        env.pop(key, None)
    env.update({
        'HOME': base,
        'XDG_DATA_HOME': os.path.join(base, 'data'),
        'XDG_CONFIG_HOME': os.path.join(base, 'config'),
        'XDG_CACHE_HOME': os.path.join(base, 'cache'),
        'XDG_STATE_HOME': os.path.join(base, 'state'),
        'SPARK_CHECKPOINT_DIR': os.path.join(base, 'checkpoints'),
        'GIT_CONFIG_NOSYSTEM': '1',
        'GIT_CONFIG_GLOBAL': os.devnull,
        'GSETTINGS_BACKEND': 'memory',
        'OPENAI_BASE_URL': url,
        # A key in the environment: no keyring daemon gets started.
        'OPENAI_API_KEY': 'sk-test-a11y',
        'GTK_USE_PORTAL': '0',
        'GIO_USE_VFS': 'local',
        'GDK_DISABLE': 'vulkan',
        'GSK_RENDERER': 'cairo',
        'LC_ALL': 'C.UTF-8',
    })
    return env


# AT-SPI helpers ------------------------------------------------------------

def on_screen(node):
    """Mapped with a size: GTK 4.8 does not set SHOWING on every widget."""
    try:
        width, height = node.size
        return width > 0 and height > 0
    except Exception:  # noqa: BLE001
        return False


def has_state(node, state):
    import pyatspi
    return node.getState().contains(getattr(pyatspi, 'STATE_' + state.upper()))


def find_all(node, predicate):
    return node.findChildren(predicate, isLambda=True)


def find_one(node, what, predicate):
    found = [n for n in find_all(node, predicate)]
    if len(found) != 1:
        raise AssertionError('expected one %s, found %d' % (what, len(found)))
    return found[0]


def named(role, name):
    return lambda n: n.roleName == role and n.name == name


def ancestors(node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def where(node):
    return ' < '.join('[%s] %r' % (a.roleName, a.name) for a in ancestors(node)
                      if a.name and a.roleName not in ('application', 'desktop frame'))


def label_problem(node):
    """Why @node's accessible name would not help a screen reader user."""
    name = node.name or ''
    if not name.strip():
        return 'no name'
    if re.fullmatch(r'(Gtk|Adw|GtkSource|Spark)[A-Z][A-Za-z]*', name):
        return 'only a type name'
    if re.search(r'(^|\s)_[^\W_]', name):
        return 'a mnemonic underscore'
    words = name.split(' ')
    half = len(words) // 2
    if len(words) % 2 == 0 and half > 0 and words[:half] == words[half:]:
        return 'the label said twice'
    return None


def audit_controls(app, where):
    """Every control on screen has a real accessible name."""
    problems = []
    for node in find_all(app, lambda n: n.roleName in CONTROL_ROLES):
        if not on_screen(node):
            continue
        why = label_problem(node)
        if why is not None:
            problems.append('[%s] %r: %s, in %s' % (node.roleName, node.name, why, where(node)))
    if problems:
        raise AssertionError('unlabelled controls on screen (%s):\n  %s'
                             % (where, '\n  '.join(problems)))
    note('every control on screen is labelled (%s)' % where)


def click(node):
    """Activates @node through its AT-SPI action, as assistive technology does."""
    for action in ('click', 'activate', 'press'):
        if action in node.actions:
            node.doActionNamed(action)
            return
    raise AssertionError('%s %r has no click action (has %s)'
                         % (node.roleName, node.name, list(node.actions)))


def button(node, name):
    """The button named @name on screen (a menu button is a button in a
    button: the inner one has the action)."""
    found = [n for n in find_all(node, named('push button', name))
             if on_screen(n) and 'click' in n.actions]
    if len(found) != 1:
        raise AssertionError('expected one button %r on screen, found %d' % (name, len(found)))
    return found[0]


def focused_node(app):
    focused = find_all(app, lambda n: has_state(n, 'focused'))
    return focused[0] if focused else None


def hunks(app):
    rows = {}
    for node in find_all(app, lambda n: HUNK_NAME.match(n.name or '') is not None):
        rows[node.name] = node
    return rows


def hunk_named(app, prefix):
    for name, node in hunks(app).items():
        if name.startswith(prefix):
            return node
    return None


def dump(node, depth=0, out=None):
    out = out if out is not None else []
    try:
        out.append('%s[%s] %r' % ('  ' * depth, node.roleName, node.name))
        for child in node.children:
            dump(child, depth + 1, out)
    except Exception as e:  # noqa: BLE001
        out.append('%s(gone: %s)' % ('  ' * depth, e))
    return out


# The walk ------------------------------------------------------------------

def walk(app, project, server):
    from dogtail import rawinput

    frame = wait_for('the project window',
                     lambda: find_one(app, 'window', lambda n: n.roleName == 'frame'
                                      and n.name.startswith('project')))
    note('window: %r' % frame.name)
    tree = wait_for('the file tree', lambda: find_one(frame, 'file list',
                                                      named('list', 'Project Files')))
    audit_controls(app, 'project opened')

    # Open a.c from the tree: point at its row, then Enter.
    row = wait_for('a.c in the tree',
                   lambda: [n for n in find_all(tree, lambda n: (n.name or '').startswith('a.c'))
                            if on_screen(n)][0])
    row.click()
    rawinput.pressKey('Return')
    editor = wait_for('the editor of a.c',
                      lambda: [n for n in find_all(frame, named('text', 'a.c')) if on_screen(n)][0])
    wait_for('the text of a.c in the editor',
             lambda: editor.text == PROJECT_FILES['a.c'])
    note('a.c is open in the editor')

    # The chat: its page tab, then the message box, by keyboard.
    click(find_one(frame, 'Chat tab', named('page tab', 'Chat')))
    message = wait_for('the message box',
                       lambda: [n for n in find_all(frame, named('text', 'Message'))
                                if on_screen(n)][0])
    audit_controls(app, 'chat shown')
    message.click()
    wait_for('the message box to take the focus', lambda: message.focused)
    rawinput.typeText(PROMPT)
    wait_for('the prompt in the message box', lambda: message.text == PROMPT)
    rawinput.pressKey('Return')
    wait_for('the prompt at the server',
             lambda: any(PROMPT in r for r in server.requests))
    note('the prompt reached the server')

    # The review pane shows the hunks by file and line range.
    expected = [
        'Hunk 1 of 3 in a.c, lines 1–3, pending',
        'Hunk 2 of 3 in a.c, lines 5–7, pending',
        'Hunk 3 of 3 in a.c, lines 9–11, pending',
        'Hunk 1 of 1 in b.txt, lines 1–2, pending',
        'Hunk 1 of 1 in c.md, new file, pending',
    ]
    wait_for('the five hunks in the review pane',
             lambda: sorted(hunks(app)) == sorted(expected))
    review_tab = find_one(frame, 'Review tab', named('page tab', 'Review'))
    wait_for('the review pane to be shown', lambda: has_state(review_tab, 'selected'))
    apply_button = find_one(frame, 'Apply button', named('push button', 'Apply'))
    wait_for('the whole patch (Apply waits for it)',
             lambda: find_all(frame, named('label', 'Accept or edit a hunk to apply it.')))
    audit_controls(app, 'review shown')
    note('the review pane lists: %s' % '; '.join(expected))

    # Accept the first hunk from the keyboard: Tab reaches its button.
    first = hunk_named(app, 'Hunk 1 of 3 in a.c')
    accept = find_one(first, 'Accept Hunk button', named('push button', 'Accept Hunk'))
    focused = None
    for presses in range(1, 101):
        # Tab is a character in a text view; Ctrl+Tab leaves it.
        if focused is not None and focused.roleName == 'text' and has_state(focused, 'multi_line'):
            rawinput.keyCombo('<Control>Tab')
        else:
            rawinput.pressKey('Tab')
        focused = wait_for('the focus to move', lambda: focused_node(app))
        why = label_problem(focused)
        # libadwaita 1.2 makes a tab focusable as a generic widget, which
        # GTK 4.8 never names; later libadwaita names its tabs itself.
        if why is not None and focused.roleName == 'filler' and \
           any(a.name == 'AdwTabBox' for a in ancestors(focused)):
            why = None
        if why is not None:
            raise AssertionError('Tab reached [%s] %r: %s, in %s'
                                 % (focused.roleName, focused.name, why, where(focused)))
        if accept.focused:
            break
    else:
        raise AssertionError('Tab never reached Accept Hunk of hunk 1')
    note('Tab reached Accept Hunk of hunk 1 in %d presses' % presses)
    rawinput.pressKey('space')
    wait_for('hunk 1 accepted',
             lambda: hunk_named(app, 'Hunk 1 of 3 in a.c').name.endswith(', accepted'))
    second = hunk_named(app, 'Hunk 2 of 3 in a.c')
    # A split button: Reject, and an arrow that asks why.
    reject = find_one(second, 'Reject Hunk group', lambda n: n.name == 'Reject Hunk')
    assert find_all(reject, named('push button', 'Reject with a Reason')), 'the arrow has no name'
    click(find_one(reject, 'Reject button', named('push button', 'Reject')))
    wait_for('hunk 2 rejected',
             lambda: hunk_named(app, 'Hunk 2 of 3 in a.c').name.endswith(', rejected'))
    note('accepted hunk 1 (keyboard) and rejected hunk 2 (its button) of a.c')
    changes = find_one(frame, 'list of hunks', named('list', 'Proposed Changes'))
    wait_for('the list to describe the decisions',
             lambda: changes.description == '1 of 5 hunks accepted: 3 pending · 1 rejected')

    # Apply writes the accepted hunk only.
    wait_for('Apply to be enabled', lambda: apply_button.sensitive)
    click(apply_button)
    applied = PROJECT_FILES['a.c'].replace('line 2\n', 'line TWO\n')
    wait_for('a.c written with the accepted hunk', lambda: read(project, 'a.c') == applied)
    assert read(project, 'b.txt') == PROJECT_FILES['b.txt'], 'b.txt changed'
    assert read(project, 'c.md') is None, 'c.md was created'
    note('Apply wrote the accepted hunk to a.c, and nothing else')

    # The toast offers Undo, by a name without its mnemonic.
    wait_for('the Undo button of the toast', lambda: button(frame, 'Undo'))
    audit_controls(app, 'after Apply')

    # Undo Apply, from the Checkpoints popover (it stays; the toast goes).
    checkpoints = button(frame, 'Checkpoints')
    click(checkpoints)
    undo = wait_for('Undo Apply in the Checkpoints popover', lambda: button(app, 'Undo Apply'))
    audit_controls(app, 'checkpoints shown')
    click(undo)
    wait_for('a.c restored', lambda: read(project, 'a.c') == PROJECT_FILES['a.c'])
    note('Undo Apply restored a.c')

    # Escape closes the popover.
    wait_for('the Checkpoints button to show its popover open',
             lambda: has_state(checkpoints, 'pressed'))
    wait_for('the focus in the popover', lambda: undo.focused)
    rawinput.pressKey('Escape')
    wait_for('the popover to close', lambda: not has_state(checkpoints, 'pressed'))
    wait_for('the focus back on the Checkpoints button', lambda: checkpoints.focused)
    note('Escape closed the Checkpoints popover')


def main(argv):
    if len(argv) != 3:
        print('usage: %s SPARK FAKE_SERVER' % argv[0], file=sys.stderr)
        return 2
    spark, fake_server = argv[1], argv[2]
    srcdir = os.environ.get('G_TEST_SRCDIR', os.path.dirname(os.path.abspath(__file__)))
    builddir = os.environ.get('G_TEST_BUILDDIR', os.getcwd())

    try:
        from dogtail.config import config
    except ImportError as e:
        skip('dogtail is not installed (python3-dogtail): %s' % e)
    if not os.environ.get('DISPLAY') and not os.environ.get('WAYLAND_DISPLAY'):
        print('error: no display; run the ui suite under xvfb-run and dbus-run-session',
              file=sys.stderr)
        return 1

    # A session bus of its own: the accessibility bus it starts stays with
    # the session, and gnome-keyring's prompts (test-credentials and the
    # welcome page's test, later on the suite's bus) hang once it is there.
    if os.environ.get('SPARK_A11Y_PRIVATE_BUS') != '1':
        runner = shutil.which('dbus-run-session')
        if runner is None:
            skip('dbus-run-session is missing, so no private session bus for the accessibility bus')
        env = dict(os.environ, SPARK_A11Y_PRIVATE_BUS='1')
        return subprocess.call([runner, '--', sys.executable, os.path.abspath(argv[0])] + argv[1:],
                               env=env)
    if not a11y_bus_available():
        skip('the accessibility bus (at-spi2-core, org.a11y.Bus on the session bus) is missing')

    # GTK 4 talks to AT-SPI whatever the GNOME setting says; dogtail's check
    # of that setting only matters for GTK 3 apps.
    config.checkForA11y = False
    config.logDebugToFile = False
    config.logDebugToStdOut = False
    config.searchCutoffCount = 5
    from dogtail.tree import root

    base = tempfile.mkdtemp(prefix='a11y-', dir=builddir)
    server = None
    proc = None
    app = None
    try:
        project = make_project(base)
        server = FakeServer(fake_server, ['text-and-multi-patch', 'text-done'], srcdir)
        proc = subprocess.Popen([spark, project], env=spark_env(base, server.url))
        app = wait_for('spark on the accessibility bus',
                       lambda: [a for a in root.applications()
                                if a.name == 'spark' and a.get_process_id() == proc.pid][0])
        walk(app, project, server)
        print('ok: the main flow works by accessible names')
        return 0
    except Exception as e:  # noqa: BLE001 (a failure, whatever raised it)
        traceback.print_exc(file=sys.stdout)
        print('FAIL: %s' % e, flush=True)
        if app is not None:
            print('\n'.join(['# accessible tree:'] + dump(app)))
        return 1
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if server is not None:
            server.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
