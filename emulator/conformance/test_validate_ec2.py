"""Self-tests of validate_ec2.py against the real botocore EC2 model.

They prove the XML validator catches each kind of deviation the EC2 conformance cases rely on
(a member under a wrong name, an unknown element, a list of wrongly named items, a bad boolean,
integer, enum value or timestamp, a wrong root or namespace, an error at a wrong status or with
an undocumented code) and that it accepts realistic bodies.
"""

import unittest

import validate_ec2 as v

MODEL = v.load_model()
NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'

IMAGE = (
    "<item><imageId>ami-0123456789abcdef0</imageId><imageLocation>123456789012/web-1</imageLocation>"
    "<imageState>available</imageState><imageOwnerId>123456789012</imageOwnerId>"
    "<creationDate>2026-11-22T06:40:00.000Z</creationDate><isPublic>false</isPublic>"
    "<architecture>x86_64</architecture><imageType>machine</imageType><name>web-1</name>"
    "<rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName>"
    "<blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs>"
    "<snapshotId>snap-0123456789abcdef0</snapshotId><volumeSize>60</volumeSize>"
    "<deleteOnTermination>true</deleteOnTermination><volumeType>gp2</volumeType>"
    "<encrypted>false</encrypted></ebs></item></blockDeviceMapping>"
    "<virtualizationType>hvm</virtualizationType><tagSet><item><key>k</key><value>v</value></item></tagSet>"
    "<hypervisor>xen</hypervisor></item>"
)
SNAPSHOT = (
    "<item><snapshotId>snap-0123456789abcdef0</snapshotId><volumeId>vol-ffffffff</volumeId>"
    "<status>pending</status><startTime>2026-11-22T06:40:00.000Z</startTime><progress>40%</progress>"
    "<ownerId>123456789012</ownerId><volumeSize>64</volumeSize><description>d</description>"
    "<encrypted>false</encrypted><tagSet/><storageTier>standard</storageTier></item>"
)


def images(items, extra=""):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<DescribeImagesResponse {NS}>'
            f"<requestId>r-1</requestId><imagesSet>{items}</imagesSet>{extra}</DescribeImagesResponse>")


def snapshots(items):
    return (f"<DescribeSnapshotsResponse {NS}><requestId>r-1</requestId>"
            f"<snapshotSet>{items}</snapshotSet></DescribeSnapshotsResponse>")


def statuses(summary):
    checks = (f"<status>{summary}</status><details><item><name>reachability</name>"
              "<status>initializing</status></item></details>")
    return (f"<DescribeInstanceStatusResponse {NS}><requestId>r-1</requestId><instanceStatusSet><item>"
            "<instanceId>i-0123456789abcdef0</instanceId><availabilityZone>us-east-1a</availabilityZone>"
            "<eventsSet/><instanceState><code>16</code><name>running</name></instanceState>"
            f"<systemStatus>{checks}</systemStatus><instanceStatus>{checks}</instanceStatus>"
            "</item></instanceStatusSet></DescribeInstanceStatusResponse>")


def error(code, status=400):
    body = (f"<Response><Errors><Error><Code>{code}</Code><Message>m</Message></Error></Errors>"
            "<RequestID>r-1</RequestID></Response>")
    return v.check_error(status, body)


class AcceptsConformantBodies(unittest.TestCase):
    def test_images_and_snapshots(self):
        self.assertEqual(v.check_success(MODEL, "DescribeImages", images(IMAGE, "<nextToken>6e3a</nextToken>")), [])
        self.assertEqual(v.check_success(MODEL, "DescribeSnapshots", snapshots(SNAPSHOT)), [])

    def test_writes(self):
        body = f"<CreateTagsResponse {NS}><requestId>r</requestId><return>true</return></CreateTagsResponse>"
        self.assertEqual(v.check_success(MODEL, "CreateTags", body), [])
        body = (f"<DeregisterImageResponse {NS}><requestId>r</requestId><return>true</return>"
                "<deleteSnapshotResultSet><item><snapshotId>snap-1</snapshotId><returnCode>success</returnCode>"
                "</item></deleteSnapshotResultSet></DeregisterImageResponse>")
        self.assertEqual(v.check_success(MODEL, "DeregisterImage", body), [])

    def test_errors(self):
        self.assertEqual(error("InvalidSnapshot.InUse"), [])
        self.assertEqual(error("RequestLimitExceeded", 503), [])
        self.assertEqual(error("UnauthorizedOperation", 403), [])
        self.assertEqual(error("InsufficientInstanceCapacity", 500), [])
        self.assertEqual(error("InvalidInstanceID.NotFound"), [])

    def test_instance_status(self):
        self.assertEqual(v.check_success(MODEL, "DescribeInstanceStatus", statuses("initializing")), [])


class CatchesDeviations(unittest.TestCase):
    def assertCaught(self, problems, fragment):
        self.assertTrue(any(fragment in p for p in problems), f"{fragment!r} not in {problems}")

    def test_member_by_its_name_not_its_location_name(self):
        bad = IMAGE.replace("<imageState>available</imageState>", "<state>available</state>")
        self.assertCaught(v.check_success(MODEL, "DescribeImages", images(bad)), "unknown element <state>")

    def test_wrong_list_wrapper_and_items(self):
        body = images(IMAGE).replace("imagesSet", "imageSet")
        self.assertCaught(v.check_success(MODEL, "DescribeImages", body), "unknown element <imageSet>")
        bad = IMAGE.replace("<tagSet><item>", "<tagSet><member>").replace("</item></tagSet>", "</member></tagSet>")
        self.assertCaught(v.check_success(MODEL, "DescribeImages", images(bad)), "expected <item>")

    def test_scalars(self):
        cases = [
            ("<isPublic>false</isPublic>", "<isPublic>False</isPublic>", "not a boolean"),
            ("<volumeSize>60</volumeSize>", "<volumeSize>60GiB</volumeSize>", "not an integer"),
            ("<imageState>available</imageState>", "<imageState>ready</imageState>", "not a value of enum"),
            ("<volumeSize>60</volumeSize>", "<volumeSize>4294967296</volumeSize>", "not an integer"),
        ]
        for good, bad, fragment in cases:
            self.assertCaught(v.check_success(MODEL, "DescribeImages", images(IMAGE.replace(good, bad))), fragment)
        bad = SNAPSHOT.replace("2026-11-22T06:40:00.000Z", "1795329600")
        self.assertCaught(v.check_success(MODEL, "DescribeSnapshots", snapshots(bad)), "not an ISO 8601")

    def test_status_check_values(self):
        problems = v.check_success(MODEL, "DescribeInstanceStatus", statuses("insufficientData"))
        self.assertCaught(problems, "not a value of enum")

    def test_structure_problems(self):
        self.assertCaught(v.check_success(MODEL, "DescribeImages", images(IMAGE + "<item>text</item>")),
                          "unexpected text")
        twice = IMAGE.replace("<name>web-1</name>", "<name>a</name><name>b</name>")
        self.assertCaught(v.check_success(MODEL, "DescribeImages", images(twice)), "appears twice")

    def test_root_namespace_and_request_id(self):
        self.assertCaught(v.check_success(MODEL, "DescribeImages", images(IMAGE).replace(NS, "")), "root element")
        body = images(IMAGE).replace("DescribeImagesResponse", "DescribeImagesResult")
        self.assertCaught(v.check_success(MODEL, "DescribeImages", body), "root element")
        body = images(IMAGE).replace("<requestId>r-1</requestId>", "")
        self.assertCaught(v.check_success(MODEL, "DescribeImages", body), "no <requestId>")
        self.assertCaught(v.check_success(MODEL, "DescribeImages", "{}"), "not XML")

    def test_write_without_output_shape(self):
        body = f"<DeleteSnapshotResponse {NS}><requestId>r</requestId><return>yes</return></DeleteSnapshotResponse>"
        self.assertCaught(v.check_success(MODEL, "DeleteSnapshot", body), "not a boolean")
        body = f"<DeleteSnapshotResponse {NS}><requestId>r</requestId><snapshotId>s</snapshotId></DeleteSnapshotResponse>"
        self.assertCaught(v.check_success(MODEL, "DeleteSnapshot", body), "unknown element <snapshotId>")

    def test_errors(self):
        self.assertCaught(error("RequestLimitExceeded", 400), "expected 503")
        self.assertCaught(error("UnauthorizedOperation", 400), "expected 403")
        self.assertCaught(error("InvalidSnapshot.InUse", 500), "expected 400")
        self.assertCaught(error("SnapshotInUse"), "not a documented EC2 error code")
        self.assertCaught(error("InsufficientInstanceCapacity", 400), "expected 500")
        self.assertCaught(v.check_error(400, "<Errors><Error><Code>x</Code></Error></Errors>"), "root element")
        body = "<Response><Errors><Error><Code>InternalError</Code></Error></Errors></Response>"
        problems = v.check_error(500, body)
        self.assertCaught(problems, "no <Message>")
        self.assertCaught(problems, "no <RequestID>")

    def test_exchange_content_type_and_action(self):
        record = {"path": "/", "target": None, "requestBody": "Action=DescribeImages&Version=2016-11-15",
                  "status": 200, "contentType": "application/json", "body": images(IMAGE)}
        self.assertTrue(v.is_ec2(record))
        self.assertCaught(v.check_exchange(MODEL, record), "expected text/xml")
        record.update(contentType="text/xml;charset=UTF-8", requestBody="Action=RunUnicorns")
        self.assertCaught(v.check_exchange(MODEL, record), "unknown action")


if __name__ == "__main__":
    unittest.main()
