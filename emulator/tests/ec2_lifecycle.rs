//! EC2 artifacts following Lightsail exports on the simulated clock, through the real
//! `aws-sdk-ec2` client: export -> pending -> available, one EBS snapshot per disk, ids, and
//! retiring (deregister, then delete).

mod common;
mod ec2_support;

use ec2_support::*;

#[tokio::test]
async fn an_instance_export_becomes_a_pending_then_available_ami_with_one_snapshot_per_disk() {
    let emu = emulator().await;
    let ls = common::client(&emu);
    let c = ec2(&emu);
    let before = emu.ec2_images().len();
    ls.export_snapshot()
        .source_snapshot_name("web-1-snap")
        .send()
        .await
        .unwrap();
    // The default destinationInfo switch (whileStarted) shows the id at once; the AMI exists
    // from the export's start, pending until the record succeeds plus ec2Seconds.
    let ami = destination_of(&ls, "web-1-snap")
        .await
        .expect("destination id");
    assert!(ami.starts_with("ami-") && ami.len() == 21, "{ami}");
    assert_eq!(emu.ec2_images().len(), before + 1);
    let out = c.describe_images().image_ids(&ami).send().await.unwrap();
    let img = &out.images()[0];
    assert_eq!(img.state().map(|s| s.as_str()), Some("pending"));
    assert_eq!(img.owner_id(), Some("123456789012"));
    assert_eq!(img.public(), Some(false));
    assert_eq!(img.root_device_name(), Some("/dev/xvda"));
    assert_eq!(img.root_device_type().map(|t| t.as_str()), Some("ebs"));
    assert_eq!(img.architecture().map(|a| a.as_str()), Some("x86_64"));
    assert_eq!(img.virtualization_type().map(|v| v.as_str()), Some("hvm"));
    assert_eq!(img.creation_date(), Some("2026-11-22T06:00:00.000Z"));
    assert!(img.name().is_some_and(|n| n.starts_with("web-1-snap-")));
    assert!(img.tags().is_empty());
    // The system disk (medium bundle: 80 GiB) and the two attached disks, in name order.
    let want = [
        ("/dev/xvda", 80, true),
        ("/dev/xvdf", 64, false),
        ("/dev/xvdg", 32, false),
    ];
    let want: Vec<(String, i32, bool)> = want
        .iter()
        .map(|(d, s, t)| (d.to_string(), *s, *t))
        .collect();
    assert_eq!(devices(img), want);
    let snap_ids = snapshots_of(img);
    for id in &snap_ids {
        assert!(id.starts_with("snap-") && id.len() == 22, "{id}");
        assert_eq!(snapshot_state(&c, id).await, "pending");
    }
    // Record Succeeded at 1,800 s; artifacts available 600 s later.
    emu.advance(1800.0 + 599.0);
    assert_eq!(image_state(&c, &ami).await, "pending");
    let out = c
        .describe_snapshots()
        .snapshot_ids(&snap_ids[0])
        .send()
        .await
        .unwrap();
    assert_eq!(out.snapshots()[0].progress(), Some("99%"));
    emu.advance(1.0);
    assert_eq!(image_state(&c, &ami).await, "available");
    for id in &snap_ids {
        assert_eq!(snapshot_state(&c, id).await, "completed");
    }
    let out = c
        .describe_snapshots()
        .snapshot_ids(&snap_ids[1])
        .send()
        .await
        .unwrap();
    let s = &out.snapshots()[0];
    assert_eq!(
        (s.volume_id(), s.volume_size(), s.progress(), s.encrypted()),
        (Some("vol-ffffffff"), Some(64), Some("100%"), Some(false))
    );
    assert!(s.description().is_some_and(|d| d.contains(&ami)));
    assert_eq!(
        s.start_time().map(|t| t.secs()),
        Some(1_795_327_200),
        "startTime is the export's start"
    );
}

#[tokio::test]
async fn a_disk_export_becomes_one_ebs_snapshot_and_a_windows_one_a_windows_ami() {
    let emu = emulator().await;
    let ls = common::client(&emu);
    let c = ec2(&emu);
    for name in ["loose-disk-snap", "win-1-snap"] {
        ls.export_snapshot()
            .source_snapshot_name(name)
            .send()
            .await
            .unwrap();
    }
    let snap = destination_of(&ls, "loose-disk-snap").await.unwrap();
    assert!(snap.starts_with("snap-"), "{snap}");
    emu.advance(2400.0);
    let out = c
        .describe_snapshots()
        .snapshot_ids(&snap)
        .send()
        .await
        .unwrap();
    let s = &out.snapshots()[0];
    assert_eq!(s.state().map(|s| s.as_str()), Some("completed"));
    assert_eq!(s.volume_size(), Some(16));
    let ami = destination_of(&ls, "win-1-snap").await.unwrap();
    let out = c.describe_images().image_ids(&ami).send().await.unwrap();
    let img = &out.images()[0];
    assert_eq!(img.platform().map(|p| p.as_str()), Some("windows"));
    assert_eq!(img.root_device_name(), Some("/dev/sda1"));
    assert_eq!(img.block_device_mappings().len(), 1);
}

#[tokio::test]
async fn failed_exports_leave_nothing_and_scenario_records_follow_their_ec2_state() {
    let emu = emulator().await;
    let ls = common::client(&emu);
    let c = ec2(&emu);
    let sources = |emu: &lightsail_emulator::Emulator| -> Vec<Option<String>> {
        emu.ec2_snapshots().into_iter().map(|s| s.source).collect()
    };
    // gone-snap: missing; broken-snap: a Failed record; slow / bad: pending / failed.
    assert!(!sources(&emu).contains(&Some("gone-snap".into())));
    assert!(emu
        .ec2_images()
        .iter()
        .all(|i| i.source.as_deref() != Some("broken-snap")));
    let slow = destination_of(&ls, "slow-snap").await.unwrap();
    let bad = destination_of(&ls, "bad-snap").await.unwrap();
    assert_eq!(snapshot_state(&c, &slow).await, "pending");
    assert_eq!(snapshot_state(&c, &bad).await, "error");
    emu.advance(600.0);
    assert_eq!(snapshot_state(&c, &slow).await, "completed");
    // The managed AMI of an earlier night, with its planted tags, is the record's destination.
    let old = destination_of(&ls, "web-1-old").await.unwrap();
    let out = c.describe_images().image_ids(&old).send().await.unwrap();
    let img = &out.images()[0];
    assert_eq!(img.state().map(|s| s.as_str()), Some("available"));
    assert!(img
        .tags()
        .iter()
        .any(|t| t.key() == Some(MANAGED) && t.value() == Some("true")));

    emu.set_faults(lightsail_emulator::Faults {
        fail_exports_for: vec!["web-2".into()],
        ..Default::default()
    });
    let n = emu.ec2_images().len();
    ls.export_snapshot()
        .source_snapshot_name("web-2-snap")
        .send()
        .await
        .unwrap();
    assert_eq!(emu.ec2_images().len(), n, "a failed export creates nothing");
}

#[tokio::test]
async fn retiring_an_export_deregisters_the_ami_then_deletes_its_snapshots() {
    let emu = emulator().await;
    let ls = common::client(&emu);
    let c = ec2(&emu);
    let ami = destination_of(&ls, "web-1-old").await.unwrap();
    let out = c.describe_images().image_ids(&ami).send().await.unwrap();
    let snaps = snapshots_of(&out.images()[0]);
    assert_eq!(snaps.len(), 3, "system disk and two attached disks");
    let err = c
        .delete_snapshot()
        .snapshot_id(&snaps[0])
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err), status(&err)),
        ("InvalidSnapshot.InUse".into(), 400)
    );
    assert_eq!(
        message(&err),
        format!("The snapshot {} is currently in use by {ami}", snaps[0])
    );
    c.deregister_image().image_id(&ami).send().await.unwrap();
    // Default deregisteredImage switch: describing it by id is InvalidAMIID.NotFound.
    let err = c
        .describe_images()
        .image_ids(&ami)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidAMIID.NotFound");
    assert_eq!(
        message(&err),
        format!("The image id '[{ami}]' does not exist")
    );
    assert!(!image_ids(&c, &[]).await.contains(&ami));
    let err = c
        .deregister_image()
        .image_id(&ami)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidAMIID.NotFound");
    for id in &snaps {
        assert_eq!(
            snapshot_state(&c, id).await,
            "completed",
            "snapshots remain"
        );
        c.delete_snapshot().snapshot_id(id).send().await.unwrap();
    }
    let err = c
        .describe_snapshots()
        .snapshot_ids(&snaps[0])
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidSnapshot.NotFound");
    let writes: Vec<(String, String, bool)> = emu
        .writes()
        .into_iter()
        .map(|w| (w.operation, w.target, w.applied))
        .collect();
    assert_eq!(
        writes[0],
        ("DeleteSnapshot".into(), snaps[0].clone(), false)
    );
    assert_eq!(writes[1], ("DeregisterImage".into(), ami.clone(), true));
    assert_eq!(writes.len(), 3 + snaps.len());
    assert_eq!(emu.call_counts().get("DeleteSnapshot"), Some(&4));
    let info = emu
        .ec2_images()
        .into_iter()
        .find(|i| i.image_id == ami)
        .unwrap();
    assert_eq!(info.state, "deregistered");
}

#[tokio::test]
async fn deregister_can_delete_the_associated_snapshots_it_may_delete() {
    let emu = emulator().await;
    let c = ec2(&emu);
    let managed = image_ids(&c, &[filter("name", &["managed-old-1"])]).await;
    let out = c
        .deregister_image()
        .image_id(&managed[0])
        .delete_associated_snapshots(true)
        .send()
        .await
        .unwrap();
    assert_eq!(out.r#return(), Some(true));
    let results = out.delete_snapshot_results();
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0].return_code().map(|r| r.as_str()),
        Some("success")
    );
    let gone = results[0].snapshot_id().unwrap_or_default();
    assert!(emu.ec2_snapshots().iter().all(|s| s.snapshot_id != gone));
}

#[tokio::test]
async fn ids_have_ec2_formats_and_malformed_ones_are_refused() {
    let emu = emulator().await;
    let c = ec2(&emu);
    for i in emu.ec2_images() {
        assert!(
            i.image_id.starts_with("ami-") && i.image_id.len() == 21,
            "{i:?}"
        );
    }
    for s in emu.ec2_snapshots() {
        assert!(
            s.snapshot_id.starts_with("snap-") && s.snapshot_id.len() == 22,
            "{s:?}"
        );
    }
    let err = c
        .describe_images()
        .image_ids("ami-xyz")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidAMIID.Malformed");
    assert_eq!(
        message(&err),
        "Invalid id: \"ami-xyz\" (expecting \"ami-...\")"
    );
    let err = c
        .deregister_image()
        .image_id("web-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidAMIID.Malformed");
    let err = c
        .delete_snapshot()
        .snapshot_id("snap-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidSnapshotID.Malformed");
    let err = c
        .describe_snapshots()
        .snapshot_ids("vol-1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "InvalidSnapshotID.Malformed");
    let err = c
        .describe_images()
        .image_ids("ami-12345678")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(&err),
        "InvalidAMIID.NotFound",
        "an 8-digit id is well formed"
    );
    let err = c
        .delete_snapshot()
        .snapshot_id("snap-12345678901234567")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err), message(&err)),
        (
            "InvalidSnapshot.NotFound".into(),
            "The snapshot 'snap-12345678901234567' does not exist.".into()
        )
    );
}
