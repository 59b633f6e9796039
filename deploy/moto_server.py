#!/usr/bin/env python3
"""moto's server (`moto_server`), with one fix to its Step Functions interpreter, for
deploy/stepfunctions_moto.py.

moto 5.2's interpreter hands the parameters of an `arn:aws:states:::states:startExecution` task to
boto3 as the state machine writes them. Step Functions documents and takes `StateMachineArn`,
`Name` and `Input` there (the launcher, statemachine/launch-nightly.asl.json, uses them), but
boto3's serializer knows only its own member names (`stateMachineArn`, `name`, `input`) and fails
with a KeyError, so no shipped definition that starts an execution could run. The fix maps each
parameter to the operation's member of the same name, ignoring case, after moto's own
normalisation, and its answer to Step Functions' own form (below); everything else is moto
unchanged. Run it as `moto_server`:

    python deploy/moto_server.py -H 127.0.0.1 -p PORT
"""

import datetime
import sys

import botocore.session
from moto.server import main
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_sfn as sfn,
)

_moto_normalise = sfn.StateTaskServiceSfn._normalise_parameters
_model = botocore.session.get_session().get_service_model("stepfunctions")


def _normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
    _moto_normalise(self, parameters, boto_service_name, service_action_name)
    action = self.resource.api_action
    operation = _model.operation_model(action[:1].upper() + action[1:])
    members = {name.lower(): name for name in operation.input_shape.members}
    for key in list(parameters):
        member = members.get(key.lower(), key)
        if member != key:
            parameters[member] = parameters.pop(key)


def _normalise_response(self, response, boto_service_name=None, service_action_name=None):
    # Step Functions answers an optimized integration with the API's member names in PascalCase
    # (`ExecutionArn`, `StartDate`); boto3 gives moto its own (`executionArn`) and a datetime,
    # which moto's DescribeExecution then cannot serialise.
    if isinstance(response, dict):
        for key in list(response):
            value = response.pop(key)
            if isinstance(value, datetime.datetime):
                value = value.isoformat()
            response[key[:1].upper() + key[1:]] = value


sfn.StateTaskServiceSfn._normalise_parameters = _normalise_parameters
sfn.StateTaskServiceSfn._normalise_response = _normalise_response

if __name__ == "__main__":
    sys.exit(main())
