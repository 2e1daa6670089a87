fn main() {
    ringer_app::run()
}
