"""Self-tests of validate_query.py against the real botocore STS and IAM models: it accepts the
emulator's answers and an error in the Query envelope, and catches a missing result wrapper, an
unknown member, a wrong root, a missing request id, a missing required member, a list of wrongly
named items and an error in another envelope."""

import unittest

import validate_query as v

MODEL = v.load_model("sts")
IAM = v.load_model("iam")
IAM_NS = 'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"'
NS = 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"'
RESULT = ("<GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>"
          "<UserId>AROAEXAMPLE:s</UserId><Account>123456789012</Account></GetCallerIdentityResult>")
METADATA = "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"


def record(body, status=200, action="GetCallerIdentity"):
    return {"path": "/", "requestBody": f"Action={action}&Version=2011-06-15", "status": status,
            "contentType": "text/xml", "body": body}


def ok(body):
    return record(f"<GetCallerIdentityResponse {NS}>{body}</GetCallerIdentityResponse>")


class ValidateSts(unittest.TestCase):
    def test_a_good_answer_and_a_good_error(self):
        self.assertEqual(v.check_exchange(MODEL, ok(RESULT + METADATA)), [])
        error = ("<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>m</Message>"
                 "</Error><RequestId>r-1</RequestId></ErrorResponse>")
        self.assertEqual(v.check_exchange(MODEL, record(error, 400, "GetSessionToken")), [])

    def test_is_sts_only_for_sts_actions(self):
        self.assertTrue(v.is_of(MODEL, ok("")))
        self.assertFalse(v.is_of(MODEL, record("", action="DescribeImages")))

    def test_each_deviation_is_caught(self):
        cases = {
            "no wrapper": ok(RESULT.replace("GetCallerIdentityResult", "Result") + METADATA),
            "unknown member": ok(RESULT.replace("<Account>", "<Colour>x</Colour><Account>") + METADATA),
            "no request id": ok(RESULT),
            "wrong root": record(f"<Answer {NS}>{RESULT}{METADATA}</Answer>"),
            "another envelope": record("<Response><Errors><Error><Code>X</Code></Error></Errors></Response>", 400),
        }
        for name, exchange in cases.items():
            with self.subTest(name):
                self.assertNotEqual(v.check_exchange(MODEL, exchange), [], name)


def iam(action, result):
    body = f"<{action}Response {IAM_NS}><{action}Result>{result}</{action}Result>{METADATA}</{action}Response>"
    return {"path": "/", "requestBody": f"Action={action}&Version=2010-05-08", "status": 200,
            "contentType": "text/xml", "body": body}


ROLE = ("<Role><Path>/</Path><RoleName>r</RoleName><RoleId>AROAEXAMPLE1234567890</RoleId>"
        "<Arn>arn:aws:iam::123456789012:role/r</Arn><CreateDate>2026-01-05T10:00:00Z</CreateDate></Role>")
RESULT_MEMBER = ("<member><EvalActionName>lightsail:GetInstances</EvalActionName><EvalResourceName>*</EvalResourceName>"
                 "<EvalDecision>allowed</EvalDecision><MatchedStatements/><MissingContextValues/></member>")


class ValidateIam(unittest.TestCase):
    def test_good_answers(self):
        self.assertEqual(v.check_exchange(IAM, iam("GetRole", ROLE)), [])
        answer = f"<EvaluationResults>{RESULT_MEMBER}</EvaluationResults><IsTruncated>false</IsTruncated>"
        self.assertEqual(v.check_exchange(IAM, iam("SimulatePrincipalPolicy", answer)), [])

    def test_deviations(self):
        cases = {
            "missing required Arn": iam("GetRole", ROLE.replace("<Arn>arn:aws:iam::123456789012:role/r</Arn>", "")),
            "items not named member": iam("SimulatePrincipalPolicy", f"<EvaluationResults>{RESULT_MEMBER.replace('member>', 'item>')}</EvaluationResults>"),
            "a decision no enum has": iam("SimulatePrincipalPolicy", f"<EvaluationResults>{RESULT_MEMBER.replace('>allowed<', '>maybe<')}</EvaluationResults>"),
        }
        for name, exchange in cases.items():
            with self.subTest(name):
                self.assertNotEqual(v.check_exchange(IAM, exchange), [], name)


if __name__ == "__main__":
    unittest.main()
