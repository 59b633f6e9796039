//! The EC2 Query protocol's response side: XML in the 2016-11-15 namespace, members named by the
//! model's `locationName`, lists as `<xSet><item>…</item></xSet>`. Written by hand (with
//! escaping) because the documents are small and flat.

use std::fmt::Display;

use super::Ec2Error;

pub const NAMESPACE: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";
pub const CONTENT_TYPE: &str = "text/xml;charset=UTF-8";

/// Escapes text for an element's content or an attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// An XML fragment being written.
#[derive(Debug, Default)]
pub struct Xml(String);

impl Xml {
    pub fn new() -> Xml {
        Xml(String::new())
    }
    pub fn open(&mut self, tag: &str) -> &mut Xml {
        self.0.push('<');
        self.0.push_str(tag);
        self.0.push('>');
        self
    }
    pub fn close(&mut self, tag: &str) -> &mut Xml {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }
    /// `<tag>text</tag>`, the text escaped.
    pub fn leaf(&mut self, tag: &str, text: impl Display) -> &mut Xml {
        self.open(tag);
        self.0.push_str(&escape(&text.to_string()));
        self.close(tag)
    }
    pub fn finish(self) -> String {
        self.0
    }
}

/// A whole success response: `<ActionResponse xmlns=…><requestId>…</requestId>…</ActionResponse>`.
pub fn response(action: &str, request_id: &str, members: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{action}Response xmlns=\"{NAMESPACE}\"><requestId>{}</requestId>{members}</{action}Response>",
        escape(request_id)
    )
}

/// EC2's error document (observed in public reports of real responses).
pub fn error(e: &Ec2Error, request_id: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{}</Code><Message>{}</Message></Error></Errors><RequestID>{}</RequestID></Response>",
        escape(e.code),
        escape(&e.message),
        escape(request_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_wraps() {
        let mut x = Xml::new();
        x.open("tagSet")
            .open("item")
            .leaf("key", "a<b>&\"c'")
            .close("item")
            .close("tagSet");
        assert_eq!(
            x.finish(),
            "<tagSet><item><key>a&lt;b&gt;&amp;&quot;c&apos;</key></item></tagSet>"
        );
        let r = response("CreateTags", "r-1", "<return>true</return>");
        assert!(r.contains("<CreateTagsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r-1</requestId><return>true</return></CreateTagsResponse>"));
        let e = error(&Ec2Error::throttled(), "r-2");
        assert!(
            e.contains("<Code>RequestLimitExceeded</Code>")
                && e.contains("<RequestID>r-2</RequestID>")
        );
    }
}
