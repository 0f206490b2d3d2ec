"""The sign-in throttle's keys and waits (surveys/accounts/throttle.py)."""

from __future__ import annotations

from surveys.accounts import throttle


def test_the_wait_doubles_after_the_free_attempts_up_to_a_quarter_of_an_hour():
    waits = [throttle.PAIR.delay_after(n) for n in range(1, 20)]
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:9] == [1, 2, 4, 8, 16]
    assert max(waits) == throttle.MAX_DELAY_SECONDS == 900


def test_an_ipv6_client_is_its_whole_network_and_a_mapped_ipv4_address_is_itself():
    assert throttle.client_of("2001:db8:1:2:aaaa::1") == throttle.client_of("2001:db8:1:2:bbbb::9")
    assert throttle.client_of("2001:db8:1:2::1") != throttle.client_of("2001:db8:1:3::1")
    assert throttle.client_of("::ffff:192.0.2.1") == "192.0.2.1"
    assert throttle.client_of("not an address") == "not an address"


def test_keys_depend_on_the_secret_and_a_device_replaces_the_account():
    plain = throttle.keys_for(b"a" * 32, "Lena@example.se ", "192.0.2.1")
    other_secret = throttle.keys_for(b"b" * 32, "lena@example.se", "192.0.2.1")
    device = throttle.keys_for(b"a" * 32, "lena@example.se", "192.0.2.1", device="abc")
    assert [k.limit for k in plain] == [throttle.PAIR, throttle.CLIENT, throttle.ACCOUNT]
    assert [k.limit for k in device] == [throttle.PAIR, throttle.CLIENT, throttle.DEVICE]
    assert plain[:2] == device[:2]  # the user name is normalised; the same person from the same client
    assert not {k.digest for k in plain} & {k.digest for k in other_secret}
