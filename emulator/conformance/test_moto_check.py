"""Self-tests of moto_check.py's comparison: that it finds a difference, keys it the way the
README's "Compared with moto" table is keyed, and reads that table.
"""

import unittest

import moto_check as m


class Comparison(unittest.TestCase):
    def test_flatten_and_equal_answers(self):
        answer = {"Images": [{"ImageId": "<image>", "Tags": [], "BlockDeviceMappings": [{"Ebs": {"VolumeSize": 8}}]}]}
        flat = m.flatten(answer)
        self.assertEqual(flat["Images[0].BlockDeviceMappings[0].Ebs.VolumeSize"], 8)
        self.assertEqual(flat["Images[0].Tags"], "[]")
        self.assertEqual(m.differences("call", flat, dict(flat)), [])

    def test_a_member_of_a_success_is_keyed_by_its_path_without_indices(self):
        emu = {"Images[0].RootDeviceName": "/dev/xvda", "Images[0].Hypervisor": "xen"}
        moto = {"Images[0].RootDeviceName": "/dev/sda1"}
        self.assertEqual(m.differences("DescribeImages by id", emu, moto), [
            ("Images.Hypervisor", "xen", "(absent)"),
            ("Images.RootDeviceName", "/dev/xvda", "/dev/sda1"),
        ])

    def test_an_error_on_either_side_is_keyed_by_the_call(self):
        emu = {"Error.Code": "InvalidAMIID.NotFound", "HTTPStatusCode": 400}
        moto = {"Images": "[]"}
        keys = [k for k, _, _ in m.differences("DescribeImages deregistered by id", emu, moto)]
        self.assertEqual(keys, ["DescribeImages deregistered by id: Error.Code",
                                "DescribeImages deregistered by id: HTTPStatusCode",
                                "DescribeImages deregistered by id: Images"])

    def test_placeholders_and_times(self):
        side = m.Side("emulator", "http://127.0.0.1:1")
        side.ids = {"ami-0123456789abcdef0": "<image>"}
        self.assertEqual(side.normal("Created for ami-0123456789abcdef0"), "Created for <image>")
        self.assertEqual(side.normal("2026-11-22T06:40:00.000Z"), "<time>")
        self.assertEqual(side.normal_args('{"ImageIds": ["<image>"]}'), '{"ImageIds": ["ami-0123456789abcdef0"]}')

    def test_the_readme_table_is_read(self):
        explained = m.explained_fields()
        self.assertIn("Images.RootDeviceType", explained)
        self.assertIn("DescribeSnapshots malformed id: Error.Code", explained)
        self.assertNotIn("Images.Name", explained)


class DrillComparison(unittest.TestCase):
    def test_instance_members_and_wildcards(self):
        import moto_drill as d
        explained = {"Instances.RootDeviceName", "Instances.NetworkInterfaces.*", "RunInstances unknown AMI: *"}
        self.assertTrue(d.explained_by("Reservations.Instances.RootDeviceName", explained))
        self.assertTrue(d.explained_by("Instances.NetworkInterfaces.Attachment.Status", explained))
        self.assertTrue(d.explained_by("RunInstances unknown AMI: Instances.ImageId", explained))
        self.assertFalse(d.explained_by("Instances.InstanceType", explained))
        self.assertFalse(d.explained_by("RunInstances: Error.Code", explained))

    def test_the_readme_drill_table_is_read_apart(self):
        import moto_drill as d
        drill = m.explained_fields(d.HEADING)
        self.assertIn("RunInstances unknown AMI: *", drill)
        self.assertNotIn("Images.RootDeviceType", drill)
        self.assertNotIn("RunInstances unknown AMI: *", m.explained_fields())


if __name__ == "__main__":
    unittest.main()
