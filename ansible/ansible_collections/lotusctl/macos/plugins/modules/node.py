#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lotusctl contributors. MIT License (see the repository's package.json).
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: node
short_description: Make a Mac's Lotus launchd jobs match a lotus.yaml, with lotusctl's plan and apply
version_added: "0.1.0"
description:
  - Runs C(lotusctl plan --json --detailed-exitcode --out PLAN) for the spec and, unless in check mode,
    C(lotusctl apply PLAN). Exactly the plan that was made is carried out, and lotusctl refuses it if the
    machine changed in between (the task then fails with C(plan.stale)).
  - C(changed) is true only when the plan had something to do (or the spec file itself was rewritten).
    Drift made by hand (a job booted out, a plist edited) is repaired and reported as changed.
  - The spec is either a file already on the target (I(path)) or given inline (I(spec) or I(content));
    an inline spec is validated and planned before it is written, then written to I(path) atomically,
    mode 0600, only when its text differs. A broken spec is never written.
  - In diff mode the task shows the spec file's change and the plan as C(lotusctl show PLAN) prints it.
  - Failures carry lotusctl's error code, message, details (for a broken spec, each problem as
    C(file:line:col  field - problem)) and hint.
options:
  path:
    description:
      - The lotus.yaml on the target. Relative paths in the spec, and the monitor job's C(--file), resolve from it.
    type: path
    required: true
  spec:
    description:
      - The spec as a dictionary (what lotus.yaml would hold). Written to I(path) as JSON, which is YAML.
    type: dict
  content:
    description:
      - The spec as YAML text (for example C("{{ lookup('template', 'lotus.yaml.j2') }}")), written to I(path) as is.
    type: str
  state:
    description:
      - C(present) makes the machine match the spec; C(absent) removes every job lotusctl manages for it
        (C(lotusctl plan --destroy), never the Lotus repos or logs).
    type: str
    choices: [present, absent]
    default: present
  targets:
    description:
      - Plan and apply only these services and what they depend on (C(lotusctl --target)).
    type: list
    elements: str
    default: []
    aliases: [target]
  executable:
    description:
      - Path of the lotusctl binary. Default C(lotusctl) from C(PATH), C(/opt/homebrew/bin) or C(/usr/local/bin).
      - Its folder is put first on C(PATH) for lotusctl, so that a C(node) installed next to it (npm's global C(bin)) is found over SSH.
    type: path
  env:
    description:
      - Environment variables for lotusctl (for example C(LOTUSCTL_LAUNCHCTL), C(LOTUSCTL_LOCK_WAIT_MS)).
        The task's C(environment) reaches lotusctl too.
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - Uses only the Python standard library on the target.
  - The saved plan holds the plists' bytes, secrets included; it lives in the module's private temporary folder and is removed with it.
author:
  - lotusctl contributors
'''

EXAMPLES = r'''
- name: Lotus daemon from a lotus.yaml kept next to the playbook
  lotusctl.macos.node:
    path: ~/lotus.yaml
    content: "{{ lookup('file', 'lotus.yaml') }}"

- name: Inline spec
  lotusctl.macos.node:
    path: ~/lotus.yaml
    spec:
      version: 1
      services:
        daemon:
          program: lotus
          args: [daemon]
          repo: ~/.lotus

- name: Remove the jobs lotusctl manages (never the repo)
  lotusctl.macos.node:
    path: ~/lotus.yaml
    state: absent
'''

RETURN = r'''
plan_changed:
  description: The plan had changes (lotusctl plan --detailed-exitcode exited 2).
  returned: success
  type: bool
spec_changed:
  description: The spec file's text differed from I(spec)/I(content) (and was rewritten, unless in check mode).
  returned: success
  type: bool
applied:
  description: Number of services apply carried out (0 in check mode or when nothing changed).
  returned: success
  type: int
summary:
  description: The plan's counts, as in the line C(Plan - A to add, C to change, R to replace, D to destroy) of the plan's text; each change counted once.
  returned: success
  type: dict
  sample: {"add": 2, "change": 0, "replace": 0, "destroy": 0, "unchanged": 0}
changes:
  description: The plan's changes that do something (C(address), C(action), C(reason)).
  returned: success
  type: list
  elements: dict
drift:
  description: Changes made outside lotusctl since its last apply (C(service), C(label), C(kind), C(message)).
  returned: success
  type: list
  elements: dict
plan:
  description: The whole plan in lotusctl's JSON format (specs/plan-json.md, format_version 2; secrets redacted).
  returned: success
  type: dict
error:
  description: lotusctl's error (C(code), C(message), C(hint), C(details)).
  returned: failure
  type: dict
'''

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text

# npm's global bin on Macs (Homebrew on Apple silicon, then Intel / the node.js installer); SSH sessions have a minimal PATH.
EXTRA_BIN_DIRS = ['/opt/homebrew/bin', '/usr/local/bin']
INLINE_HEADER = '# Written by the lotusctl.macos.node Ansible module: edit the playbook, not this file.\n'


def spec_text(params):
    """The text the spec file should hold, or None when the spec is the file already on the target."""
    if params['content'] is not None:
        return params['content']
    if params['spec'] is not None:
        # JSON is YAML: the standard library writes it, and lotusctl still reports problems as line:col of this file.
        return INLINE_HEADER + json.dumps(params['spec'], indent=2, ensure_ascii=False) + '\n'
    return None


def read_text(path):
    try:
        with open(path, 'rb') as f:
            return to_text(f.read(), errors='surrogate_or_strict')
    except (IOError, OSError):
        return None


def write_atomic(module, path, text):
    """Write path with mode 0600 via a temporary file in the same folder and a rename (never a half-written spec)."""
    folder = os.path.dirname(path) or '.'
    if not os.path.isdir(folder):
        os.makedirs(folder, 0o755)
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(to_bytes(text, errors='surrogate_or_strict'))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.rename(tmp, path)
    except Exception as e:  # noqa: BLE001 -- report any failure as the task's error, then clean up
        try:
            os.unlink(tmp)
        except OSError:
            pass
        module.fail_json(msg='cannot write %s: %s' % (path, to_text(e)))


def lotusctl_error(stdout):
    """lotusctl --json prints errors as {"format_version": "1", "error": {...}}, the last JSON line of its output."""
    for line in reversed([stdout] + stdout.splitlines()):
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get('error'), dict):
            return doc['error']
    return None


def fail(module, command, rc, out, err, **extra):
    e = lotusctl_error(out)
    if e is None:
        text = (err or out or '').strip()
        module.fail_json(msg='lotusctl %s exited %d: %s' % (command, rc, text or 'no output'), rc=rc, stdout=out, stderr=err, **extra)
    # The error is lotusctl's --json output: returned parsed, not again as stdout.
    details = [to_text(d) for d in (e.get('details') or [])]
    msg = 'lotusctl %s: error[%s]: %s' % (command, e.get('code'), e.get('message'))
    if details:
        msg += ': ' + '; '.join(details)
    if e.get('hint'):
        msg += ' (hint: %s)' % e['hint']
    module.fail_json(msg=msg, rc=rc, error=e, code=e.get('code'), hint=e.get('hint'), details=details, stderr=err, **extra)


def find_executable(module):
    exe = module.params['executable']
    if exe:
        if not os.access(exe, os.X_OK):
            module.fail_json(msg='lotusctl executable %s is missing or not executable' % exe)
        return exe
    exe = module.get_bin_path('lotusctl', required=False, opt_dirs=EXTRA_BIN_DIRS)
    if not exe:
        module.fail_json(msg='lotusctl was not found on PATH or in %s' % ', '.join(EXTRA_BIN_DIRS),
                         hint='install it (the lotusctl.macos.node role does: npm install -g lotusctl@VERSION) or set executable')
    return exe


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            spec=dict(type='dict'),
            content=dict(type='str'),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            targets=dict(type='list', elements='str', default=[], aliases=['target']),
            executable=dict(type='path'),
            env=dict(type='dict', default={}),
        ),
        mutually_exclusive=[['spec', 'content']],
        supports_check_mode=True,
    )
    p = module.params
    path = os.path.abspath(p['path'])
    exe = find_executable(module)
    env = dict((str(k), str(v)) for k, v in p['env'].items())
    base_path = env.get('PATH', os.environ.get('PATH', '/usr/bin:/bin:/usr/sbin:/sbin'))
    env['PATH'] = os.pathsep.join([os.path.dirname(exe), base_path] + [d for d in EXTRA_BIN_DIRS if d not in base_path.split(os.pathsep)])
    env['NO_COLOR'] = '1'

    def lotusctl(args, data=None):
        return module.run_command([exe] + args, data=data, binary_data=True, environ_update=env, check_rc=False)

    text = spec_text(p)
    if text is not None and text.strip() == '':
        module.fail_json(msg='the spec is empty (%s)' % ('content' if p['content'] is not None else 'spec'))
    current = read_text(path)
    # state=absent never writes the spec: it only says what to remove.
    spec_changed = p['state'] == 'present' and text is not None and text != current

    plan_file = os.path.join(module.tmpdir, 'lotusctl.plan')
    args = ['plan', '--file', path, '--json', '--detailed-exitcode', '--out', plan_file]
    if p['state'] == 'absent':
        args.append('--destroy')
    for t in p['targets']:
        args += ['--target', t]
    if text is not None:
        # Planned from the new text before anything is written: a broken spec never reaches the disk (or the monitor).
        args.append('--stdin')
    rc, out, err = lotusctl(args, data=text)
    if rc not in (0, 2):
        fail(module, 'plan', rc, out, err, changed=False)
    try:
        doc = json.loads(out)
    except ValueError:
        module.fail_json(msg='lotusctl plan printed no JSON plan', rc=rc, stdout=out, stderr=err)
    plan_changed = rc == 2
    result = dict(
        changed=plan_changed or spec_changed,
        plan_changed=plan_changed,
        spec_changed=spec_changed,
        applied=0,
        summary=doc.get('summary'),
        changes=[dict(address=c.get('address'), action=c.get('action'), reason=c.get('reason'))
                 for c in doc.get('changes', []) if c.get('action') != 'no-op'],
        drift=doc.get('drift', []),
        plan=doc,
    )

    if module._diff:
        diff = []
        if spec_changed:
            diff.append(dict(before_header=path, after_header=path, before=current or '', after=text))
        if plan_changed:
            src, sout, serr = lotusctl(['show', plan_file])
            if src != 0:
                fail(module, 'show', src, sout, serr, **result)
            diff.append(dict(prepared=sout.rstrip('\n')))
        result['diff'] = diff

    if not module.check_mode:
        if spec_changed:
            write_atomic(module, path, text)
        if plan_changed:
            rc, out, err = lotusctl(['apply', plan_file, '--json'])
            events = []
            for line in out.splitlines():
                try:
                    events.append(json.loads(line))
                except ValueError:
                    pass
            result['events'] = [e for e in events if isinstance(e, dict) and e.get('type') not in ('plan', None)]
            if rc != 0:
                # Refused before any step (a stale plan, the lock): only the spec file may have changed.
                result['changed'] = spec_changed or any(e.get('type') == 'step-start' for e in result['events'])
                fail(module, 'apply', rc, out, err, **result)
            done = [e for e in events if isinstance(e, dict) and e.get('type') == 'summary']
            result['applied'] = done[-1].get('applied', 0) if done else 0
    module.exit_json(**result)


if __name__ == '__main__':
    main()
