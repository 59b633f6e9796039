//! The part of AWS STS the function's doctor reads: `GetCallerIdentity` (AWS Query protocol,
//! 2011-06-15), answering as the role the function runs as in the emulator's one account.
//! Every other action is refused as real STS refuses an unknown one (`InvalidAction`).

use hyper::body::Incoming;
use hyper::Request;

use crate::ec2::xml::Xml;
use crate::http::{DropConnection, HttpResponse};
use crate::query;
use crate::state::Shared;
use crate::world::model::ACCOUNT;

const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// The identity every signed caller has: the function's role, assumed by Lambda.
pub const CALLER_ARN: &str = "arn:aws:sts::123456789012:assumed-role/lightsail-export/emulator";
const USER_ID: &str = "AROAEMULATOREXAMPLE01:emulator";

pub async fn handle(
    state: &Shared,
    req: Request<Incoming>,
) -> Result<HttpResponse, DropConnection> {
    let call = match query::read(state, req, NAMESPACE).await? {
        Ok(call) => call,
        Err(refused) => return Ok(refused),
    };
    if call.action != "GetCallerIdentity" {
        return Ok(query::unknown_action(NAMESPACE, &call, "2011-06-15"));
    }
    let mut xml = Xml::new();
    xml.leaf("Arn", CALLER_ARN)
        .leaf("UserId", USER_ID)
        .leaf("Account", ACCOUNT);
    Ok(query::success(NAMESPACE, &call.action, xml, &call.rid))
}
