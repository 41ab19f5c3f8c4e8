"""The client address as the trusted proxy reports it (core.net)."""

from django.test import RequestFactory

from core.net import client_address


def _request(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.KSQM_TRUSTED_PROXIES = []
    assert client_address(_request("192.0.2.1", "198.51.100.5")) == "192.0.2.1"


def test_a_trusted_proxy_reports_the_client(settings):
    settings.KSQM_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(_request("10.0.0.5", "198.51.100.5")) == "198.51.100.5"


def test_entries_written_by_the_client_itself_are_not_believed(settings):
    settings.KSQM_TRUSTED_PROXIES = ["10.0.0.5"]
    # The client sent "1.2.3.4" itself; the proxy appended the real address.
    assert client_address(_request("10.0.0.5", "1.2.3.4, 198.51.100.5")) == "198.51.100.5"


def test_a_chain_of_trusted_proxies_is_walked_back(settings):
    settings.KSQM_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(_request("10.0.0.5", "198.51.100.5, 10.1.1.1")) == "198.51.100.5"


def test_a_peer_that_is_not_a_proxy_cannot_choose_its_address(settings):
    settings.KSQM_TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_address(_request("192.0.2.1", "198.51.100.5")) == "192.0.2.1"


def test_garbage_in_the_header_stops_the_walk(settings):
    settings.KSQM_TRUSTED_PROXIES = ["10.0.0.5"]
    assert client_address(_request("10.0.0.5", "nonsense")) == "10.0.0.5"
