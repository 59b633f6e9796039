//! LIGHTSAIL_EMULATOR_SWITCHES. One test in its own binary: it changes the process environment,
//! which every emulator started in this process reads.

mod common;

use common::*;
use lightsail_emulator::{Emulator, ErrorEnvelope, ExportRecordOrder, SWITCHES_VAR};

#[tokio::test]
async fn the_environment_is_merged_over_the_scenario_on_start_reset_and_load() {
    assert_eq!(SWITCHES_VAR, "LIGHTSAIL_EMULATOR_SWITCHES");
    std::env::set_var(SWITCHES_VAR, r#"{"errorEnvelope":"header","pageSize":4}"#);
    let mut s = scenario();
    s.switches.export_record_order = ExportRecordOrder::NewestFirst;
    let emu = Emulator::start(s).await.unwrap();
    let sw = emu.switches();
    assert_eq!(sw.error_envelope, ErrorEnvelope::Header);
    assert_eq!(
        sw.export_record_order,
        ExportRecordOrder::NewestFirst,
        "the scenario's stays"
    );
    assert_eq!(emu.page_size(), 4);
    let err = client(&emu)
        .get_instance()
        .instance_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NotFoundException");

    let mut sw = emu.switches();
    sw.error_envelope = ErrorEnvelope::Code;
    emu.set_switches(sw);
    emu.reset();
    assert_eq!(
        emu.switches().error_envelope,
        ErrorEnvelope::Header,
        "reset applies it again"
    );
    emu.load(scenario());
    assert_eq!(emu.page_size(), 4, "and so does load");

    std::env::set_var(SWITCHES_VAR, r#"{"errorEnvelope":"xml"}"#);
    let e = Emulator::start(scenario()).await.err().expect("refused");
    let text = e.to_string();
    assert!(
        text.contains(SWITCHES_VAR) && text.contains("errorEnvelope"),
        "{text}"
    );
    assert!(matches!(e, lightsail_emulator::Error::Scenario(_)));
    std::env::set_var(SWITCHES_VAR, "not json");
    assert!(Emulator::start(scenario()).await.is_err());
    std::env::remove_var(SWITCHES_VAR);
    assert_eq!(
        emulator().await.switches().error_envelope,
        ErrorEnvelope::Code
    );
}
