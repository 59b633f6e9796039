"""Self-tests of validate_sts.py against the real botocore STS model: it accepts the emulator's
answer and an error in STS's envelope, and catches a missing result wrapper, an unknown member,
a wrong root, a missing request id and an error in another envelope."""

import unittest

import validate_sts as v

MODEL = v.load_model()
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
        self.assertTrue(v.is_sts(MODEL, ok("")))
        self.assertFalse(v.is_sts(MODEL, record("", action="DescribeImages")))

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


if __name__ == "__main__":
    unittest.main()
