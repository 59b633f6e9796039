//! Enums of the operations a protocol serves, whose variants are spelled as the wire spells
//! their names, so one list gives the enum, its names and its parse.

/// Defines a `Copy` enum whose variants are the operations' names on the wire, with
/// `ALL` (every variant, as listed), `name()` and `from_name()`.
macro_rules! operation_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
        }
        impl $name {
            /// Every operation, in the order listed.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The operation's name on the wire.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)+
                }
            }
            /// The operation of that name, if it is one served.
            pub fn from_name(name: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|op| op.name() == name)
            }
        }
    };
}

pub(crate) use operation_enum;
