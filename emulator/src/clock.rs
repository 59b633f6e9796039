//! The simulated clock. Every state in the world is a function of "now", so a clock that only
//! moves when told (speed 0) makes tests deterministic, and a fast one makes a demo short.

use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Clock {
    /// Simulated epoch seconds at `base_real`.
    base_sim: f64,
    base_real: Instant,
    /// Simulated seconds per real second.
    speed: f64,
}

impl Clock {
    pub fn new(start: f64, speed: f64) -> Clock {
        Clock {
            base_sim: start,
            base_real: Instant::now(),
            speed: sanitize_speed(speed),
        }
    }

    pub fn now(&self) -> f64 {
        self.base_sim + self.base_real.elapsed().as_secs_f64() * self.speed
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Moves the clock forward (never backward: states computed from it must not un-happen).
    pub fn advance(&mut self, seconds: f64) {
        if seconds.is_finite() && seconds > 0.0 {
            self.base_sim += seconds;
        }
    }

    /// Changes the speed from now on, keeping the current simulated time.
    pub fn set_speed(&mut self, speed: f64) {
        self.base_sim = self.now();
        self.base_real = Instant::now();
        self.speed = sanitize_speed(speed);
    }
}

fn sanitize_speed(speed: f64) -> f64 {
    if speed.is_finite() && speed >= 0.0 {
        speed
    } else {
        0.0
    }
}
