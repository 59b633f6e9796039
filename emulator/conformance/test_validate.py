"""Self-tests of validate.py against the real botocore Lightsail model.

They prove the validator catches each class of deviation the conformance test promises to catch
(unknown member, wrong type, invalid enum value, missing required member, bad errors) and that it
accepts realistic bodies, so a green conformance run means something.

Run: python3 -m unittest discover -s emulator/conformance -p 'test_*.py'
"""

import json
import unittest

import validate

MODEL = validate.load_model()

INSTANCE_SNAPSHOT = {
    "name": "web-1-export-2026-11-21",
    "arn": "arn:aws:lightsail:us-east-1:123456789012:InstanceSnapshot/0b1c2d3e-aaaa-bbbb-cccc-1234567890ab",
    "supportCode": "123456789012/ami-0abc",
    "createdAt": 1795327200.5,
    "location": {"availabilityZone": "all", "regionName": "us-east-1"},
    "resourceType": "InstanceSnapshot",
    "tags": [{"key": "export", "value": "nightly"}, {"key": "team"}],
    "state": "pending",
    "progress": "0%",
    "fromAttachedDisks": [],
    "fromInstanceName": "web-1",
    "fromInstanceArn": "arn:aws:lightsail:us-east-1:123456789012:Instance/1111",
    "fromBlueprintId": "ubuntu_22_04",
    "fromBundleId": "small_3_0",
    "isFromAutoSnapshot": False,
    "sizeInGb": 40,
}

EXPORT_RECORDS_PAGE = {
    "exportSnapshotRecords": [
        {
            "name": "ExportSnapshotRecord-4f1c0d1e-2222-3333-4444-555566667777",
            "arn": "arn:aws:lightsail:us-east-1:123456789012:ExportSnapshotRecord/4f1c",
            "createdAt": 1795330000,
            "location": {"availabilityZone": "all", "regionName": "us-east-1"},
            "resourceType": "ExportSnapshotRecord",
            "state": "Succeeded",
            "sourceInfo": {
                "resourceType": "DiskSnapshot",
                "createdAt": 1795320000,
                "name": "data-disk-export-2026-11-21",
                "arn": "arn:aws:lightsail:us-east-1:123456789012:DiskSnapshot/9",
                "fromResourceName": "data-disk",
                "fromResourceArn": "arn:aws:lightsail:us-east-1:123456789012:Disk/8",
                "diskSnapshotInfo": {"sizeInGb": 64},
            },
            "destinationInfo": {"id": "snap-0123456789abcdef0", "service": "Aws::EC2::Snapshot"},
        }
    ],
    "nextPageToken": "MjU=",
}


def success(operation, body):
    return validate.check_success(MODEL, operation, json.dumps(body))


def error(operation, status, body):
    return validate.check_error(MODEL, operation, status, json.dumps(body))


class AcceptsConformantBodies(unittest.TestCase):
    def test_instance_snapshot(self):
        self.assertEqual(success("GetInstanceSnapshot", {"instanceSnapshot": INSTANCE_SNAPSHOT}), [])

    def test_export_records_page(self):
        self.assertEqual(success("GetExportSnapshotRecords", EXPORT_RECORDS_PAGE), [])

    def test_auto_snapshots(self):
        body = {
            "resourceName": "web-1",
            "resourceType": "Instance",
            "autoSnapshots": [
                {"date": "2026-11-21", "createdAt": 1795240800, "status": "Success", "fromAttachedDisks": []},
                {"date": "2026-11-22", "createdAt": 1795327200, "status": "InProgress"},
            ],
        }
        self.assertEqual(success("GetAutoSnapshots", body), [])

    def test_modelled_error(self):
        body = {
            "__type": "NotFoundException",
            "code": "DoesNotExist",
            "docs": "https://lightsail.aws.amazon.com/ls/docs",
            "message": "The Instance does not exist: nope",
            "tip": "Check the name",
        }
        self.assertEqual(error("GetInstance", 400, body), [])

    def test_namespaced_error_type(self):
        body = {"__type": "com.amazonaws.lightsail#InvalidInputException", "message": "bad"}
        self.assertEqual(error("CopySnapshot", 400, body), [])

    def test_common_errors(self):
        self.assertEqual(error("ExportSnapshot", 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}), [])
        self.assertEqual(error(None, 400, {"__type": "UnknownOperationException", "message": "x"}), [])

    def test_service_exception_is_a_5xx(self):
        self.assertEqual(error("GetDisk", 500, {"__type": "ServiceException", "message": "boom"}), [])
        self.assertNotEqual(error("GetDisk", 400, {"__type": "ServiceException", "message": "boom"}), [])


class CatchesDeviations(unittest.TestCase):
    def assertCaught(self, problems, fragment):
        self.assertTrue(any(fragment in p for p in problems), f"{fragment!r} not in {problems}")

    def test_unknown_member(self):
        snapshot = dict(INSTANCE_SNAPSHOT, fromDiskName="data-disk")  # a DiskSnapshot member
        self.assertCaught(success("GetInstanceSnapshot", {"instanceSnapshot": snapshot}), "unknown member 'fromDiskName'")

    def test_unknown_top_level_member(self):
        self.assertCaught(success("GetExportSnapshotRecords", dict(EXPORT_RECORDS_PAGE, pageToken="x")), "unknown member 'pageToken'")

    def test_wrong_type_timestamp_as_string(self):
        snapshot = dict(INSTANCE_SNAPSHOT, createdAt="2026-11-22T06:00:00Z")
        self.assertCaught(success("GetInstanceSnapshot", {"instanceSnapshot": snapshot}), "$.instanceSnapshot.createdAt: expected epoch-seconds")

    def test_wrong_type_integer(self):
        for bad in ("40", 40.5, True):
            snapshot = dict(INSTANCE_SNAPSHOT, sizeInGb=bad)
            self.assertCaught(success("GetInstanceSnapshot", {"instanceSnapshot": snapshot}), "expected integer")

    def test_wrong_type_boolean_and_list(self):
        snapshot = dict(INSTANCE_SNAPSHOT, isFromAutoSnapshot="false", tags={"export": "nightly"})
        problems = success("GetInstanceSnapshot", {"instanceSnapshot": snapshot})
        self.assertCaught(problems, "expected boolean")
        self.assertCaught(problems, "expected array")

    def test_null_member(self):
        self.assertCaught(success("GetExportSnapshotRecords", dict(EXPORT_RECORDS_PAGE, nextPageToken=None)), "null")

    def test_invalid_enum_value(self):
        # `completed` is a disk snapshot state; instance snapshots become `available`.
        snapshot = dict(INSTANCE_SNAPSHOT, state="completed")
        self.assertCaught(success("GetInstanceSnapshot", {"instanceSnapshot": snapshot}), "not a value of enum InstanceSnapshotState")

    def test_invalid_nested_enum_value(self):
        page = json.loads(json.dumps(EXPORT_RECORDS_PAGE))
        page["exportSnapshotRecords"][0]["sourceInfo"]["resourceType"] = "Disk"
        self.assertCaught(success("GetExportSnapshotRecords", page), "ExportSnapshotRecordSourceType")

    def test_only_known_model_gaps_pass_an_enum(self):
        operation = {"id": "1", "operationType": "CopySnapshot", "status": "Started"}
        self.assertEqual(validate.check_shape(MODEL, "Operation", operation), [])
        operation["operationType"] = "CopySnapshots"
        self.assertCaught(validate.check_shape(MODEL, "Operation", operation), "not a value of enum OperationType")

    def test_missing_required_member(self):
        # No output shape of the operations under test has required members, so use the
        # request shape CopySnapshot documents as required (targetSnapshotName, sourceRegion).
        problems = validate.check_shape(MODEL, "CopySnapshotRequest", {"targetSnapshotName": "a-b"})
        self.assertCaught(problems, "required member 'sourceRegion' of CopySnapshotRequest is missing")

    def test_pattern(self):
        page = json.loads(json.dumps(EXPORT_RECORDS_PAGE))
        page["exportSnapshotRecords"][0]["arn"] = " "  # NonEmptyString
        self.assertCaught(success("GetExportSnapshotRecords", page), "does not match pattern")

    def test_body_not_json(self):
        self.assertCaught(validate.check_success(MODEL, "GetInstances", "<html>"), "not JSON")

    def test_error_not_modelled_for_operation(self):
        self.assertCaught(error("GetInstance", 400, {"__type": "ResourceNotFoundException", "message": "x"}), "is not an error")

    def test_error_without_message(self):
        self.assertCaught(error("GetInstance", 400, {"__type": "NotFoundException", "Message": "x"}), "unknown member 'Message'")
        self.assertCaught(error("GetInstance", 400, {"__type": "NotFoundException"}), "no string 'message'")

    def test_error_wrong_status(self):
        self.assertCaught(error("GetInstance", 404, {"__type": "NotFoundException", "message": "x"}), "status 404")

    def test_unknown_operation_gets_only_common_errors(self):
        self.assertCaught(error(None, 400, {"__type": "InvalidInputException", "message": "x"}), "is not an error")

    def test_exchange_content_type(self):
        record = {"target": "Lightsail_20161128.GetInstances", "status": 200, "body": "{}", "contentType": "application/json"}
        self.assertCaught(validate.check_exchange(MODEL, record), "Content-Type")
        record["contentType"] = "application/x-amz-json-1.1"
        self.assertEqual(validate.check_exchange(MODEL, record), [])


class ChecksTheErrorEnvelope(unittest.TestCase):
    LIGHTSAIL = {"__type": "NotFoundException", "code": "DoesNotExist", "docs": "https://docs", "message": "x", "tip": "t"}
    FRONT = {"__type": "ThrottlingException", "message": "Rate exceeded"}

    @staticmethod
    def record(body, headers=None, status=400):
        return {"status": status, "body": json.dumps(body), "headers": headers or {}}

    def envelope(self, body, headers, envelope):
        return validate.check_envelope(MODEL, self.record(body, headers), envelope)

    def test_code_envelope(self):
        self.assertEqual(self.envelope(self.LIGHTSAIL, {}, "code"), [])
        self.assertEqual(self.envelope(self.FRONT, {}, "code"), [])
        self.assertTrue(self.envelope(self.LIGHTSAIL, {"x-amzn-errortype": "NotFoundException"}, "code"))
        self.assertTrue(self.envelope({"__type": "NotFoundException", "message": "x"}, {}, "code"))
        self.assertTrue(self.envelope(dict(self.FRONT, code="Throttled"), {}, "code"))

    def test_header_envelope(self):
        plain = {"__type": "NotFoundException", "message": "x"}
        self.assertEqual(self.envelope(plain, {"X-Amzn-ErrorType": "NotFoundException"}, "header"), [])
        self.assertTrue(self.envelope(plain, {}, "header"))
        self.assertTrue(self.envelope(plain, {"x-amzn-errortype": "InvalidInputException"}, "header"))
        self.assertTrue(self.envelope(self.LIGHTSAIL, {"x-amzn-errortype": "NotFoundException"}, "header"))

    def test_success_is_not_judged(self):
        self.assertEqual(validate.check_envelope(MODEL, self.record({}, status=200), "code"), [])


if __name__ == "__main__":
    unittest.main()
