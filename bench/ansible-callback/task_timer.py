# -*- coding: utf-8 -*-
# A callback for `npm run bench` (bench/ansible-check-mode.ts): one JSON line per finished task, with its wall time,
# appended to the file named by LOTUSCTL_BENCH_TIMINGS. Standard library only.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: task_timer
type: aggregate
short_description: per-task wall time as JSON lines (lotusctl's bench)
description: Appends {"task", "seconds", "changed", "failed", "msg", "status", "summary"} per task to the file in LOTUSCTL_BENCH_TIMINGS.
requirements: [enable in ANSIBLE_CALLBACKS_ENABLED]
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._started = {}

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = time.monotonic()

    def _done(self, result, failed):
        started = self._started.get(result._task._uuid)
        path = os.environ.get('LOTUSCTL_BENCH_TIMINGS')
        if started is None or not path:
            return
        line = dict(task=result._task.get_name(), seconds=time.monotonic() - started,
                    changed=bool(result._result.get('changed')), failed=failed, msg=result._result.get('msg'),
                    status=result._result.get('status'), summary=result._result.get('summary'))
        with open(path, 'a') as f:
            f.write(json.dumps(line) + '\n')

    def v2_runner_on_ok(self, result):
        self._done(result, False)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._done(result, True)
