#!/usr/bin/env python3
"""tests/integration/dns_server.py — a small authoritative DNS server for
tests/integration/dns.sh: the zone dns.test (and 2.0.192.in-addr.arpa) on
127.0.0.1, UDP and TCP on one port, standard library only.

usage: dns_server.py PORTFILE   (writes the port it listens on, then serves
until killed)

Every name under dns.test that is not listed below is NXDOMAIN; a listed
name without the asked type is NODATA (the SOA in the authority section).
rebind*.dns.test answers A 203.0.113.7 (public) to its first A query and
A 10.0.0.5 (private) to every later one: a DNS rebinding.
silent.dns.test is never answered (a server that is down).
"""
import socket
import socketserver
import struct
import sys
import threading

A, NS, CNAME, SOA, PTR, MX, TXT, AAAA, SRV, NAPTR, ANY, CAA = (
    1, 2, 5, 6, 12, 15, 16, 28, 33, 35, 255, 257)
TTL = 300


def name(n):
    out = b''
    for label in n.rstrip('.').split('.'):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b'\0'


def chars(s):
    b = s.encode('latin-1')
    return bytes([len(b)]) + b


def soa_rdata():
    return (name('ns1.dns.test') + name('hostmaster.dns.test') +
            struct.pack('>IIIII', 2024010101, 3600, 600, 86400, 60))


def a(ip):
    return socket.inet_pton(socket.AF_INET, ip)


def aaaa(ip):
    return socket.inet_pton(socket.AF_INET6, ip)


# name -> [(type, ttl, rdata)]
ZONE = {
    'dns.test': [
        (SOA, 3600, soa_rdata()),
        (NS, 3600, name('ns1.dns.test')),
        (NS, 3600, name('ns2.dns.test')),
        (CAA, 3600, bytes([0]) + chars('issue') + b'ca.example.net'),
        (CAA, 3600, bytes([128]) + chars('iodef') + b'mailto:sec@dns.test'),
    ],
    'a.dns.test': [
        (A, TTL, a('192.0.2.10')),
        (A, 200, a('192.0.2.11')),
        (AAAA, TTL, aaaa('2001:db8::10')),
        (MX, TTL, struct.pack('>H', 10) + name('mail1.dns.test')),
        (TXT, TTL, chars('v=spf1 -all')),
    ],
    'v6.dns.test': [(AAAA, 100, aaaa('2001:db8::6'))],
    'mx.dns.test': [
        (MX, TTL, struct.pack('>H', 10) + name('mail1.dns.test')),
        (MX, TTL, struct.pack('>H', 20) + name('mail2.dns.test')),
    ],
    'txt.dns.test': [
        (TXT, TTL, chars('v=spf1 -all')),
        (TXT, TTL, chars('hello') + chars('world')),
    ],
    '_http._tcp.dns.test': [
        (SRV, TTL, struct.pack('>HHH', 10, 5, 8080) + name('web.dns.test')),
        (SRV, TTL, struct.pack('>HHH', 20, 1, 8081) + name('web2.dns.test')),
    ],
    'cname.dns.test': [(CNAME, TTL, name('a.dns.test'))],
    'naptr.dns.test': [
        (NAPTR, TTL, struct.pack('>HH', 100, 10) + chars('S') + chars('SIP+D2U') + chars('') +
         name('_sip._udp.dns.test')),
    ],
    'ptr.dns.test': [(PTR, TTL, name('a.dns.test'))],
    '10.2.0.192.in-addr.arpa': [(PTR, TTL, name('a.dns.test'))],
}
REBIND_PUBLIC, REBIND_PRIVATE = '203.0.113.7', '10.0.0.5'
rebind_seen = {}
lock = threading.Lock()


def records(qname, qtype):
    """(rcode, answers [(name, type, ttl, rdata)], authority)"""
    qn = qname.lower().rstrip('.')
    if qn.startswith('rebind') and qn.endswith('.dns.test'):
        if qtype not in (A, ANY):
            return 0, [], [('dns.test', SOA, 60, soa_rdata())]
        with lock:
            n = rebind_seen.get(qn, 0)
            rebind_seen[qn] = n + 1
        return 0, [(qn, A, 0, a(REBIND_PUBLIC if n == 0 else REBIND_PRIVATE))], []
    if qn not in ZONE:
        if qn == '2.0.192.in-addr.arpa' or qn.endswith('.2.0.192.in-addr.arpa'):
            return 3, [], []
        return 3, [], [('dns.test', SOA, 60, soa_rdata())]
    rrs = ZONE[qn]
    ans = [(qn, t, ttl, rd) for (t, ttl, rd) in rrs if qtype in (t, ANY)]
    if not ans and qtype != CNAME:
        for (t, ttl, rd) in rrs:
            if t == CNAME:  # follow the alias, as a resolver answers
                target = 'a.dns.test'
                ans = [(qn, CNAME, ttl, rd)]
                ans += [(target, t2, ttl2, rd2) for (t2, ttl2, rd2) in ZONE[target] if t2 == qtype]
    if not ans:
        return 0, [], [('dns.test', SOA, 60, soa_rdata())]
    return 0, ans, []


def answer(query):
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack('>HHH', query[:6])
    if qd != 1:
        return struct.pack('>HHHHHH', qid, 0x8001 | (flags & 0x0100), 0, 0, 0, 0)
    i, labels = 12, []
    while i < len(query) and query[i]:
        ln = query[i]
        labels.append(query[i + 1:i + 1 + ln].decode('latin-1'))
        i += 1 + ln
    i += 1
    if i + 4 > len(query):
        return None
    qtype, qclass = struct.unpack('>HH', query[i:i + 4])
    question = query[12:i + 4]
    if '.'.join(labels).lower().rstrip('.') == 'silent.dns.test':
        return None
    rcode, ans, auth = records('.'.join(labels), qtype)
    body = b''
    for (n, t, ttl, rd) in ans + auth:
        body += name(n) + struct.pack('>HHIH', t, 1, ttl, len(rd)) + rd
    hflags = 0x8400 | (flags & 0x0100) | rcode  # QR, AA, RD echoed
    return struct.pack('>HHHHHH', qid, hflags, 1, len(ans), len(auth), 0) + question + body


class Udp(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        out = answer(data)
        if out is None:
            return
        if len(out) > 512:  # truncated: ask again over TCP
            out = out[:2] + struct.pack('>H', struct.unpack('>H', out[2:4])[0] | 0x0200) + \
                out[4:6] + b'\0\0\0\0\0\0' + data[12:]
        sock.sendto(out, self.client_address)


class Tcp(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        while True:
            hdr = s.recv(2)
            if len(hdr) < 2:
                return
            (ln,) = struct.unpack('>H', hdr)
            data = b''
            while len(data) < ln:
                chunk = s.recv(ln - len(data))
                if not chunk:
                    return
                data += chunk
            out = answer(data)
            if out is None:
                return
            s.sendall(struct.pack('>H', len(out)) + out)


class UdpServer(socketserver.ThreadingUDPServer):
    allow_reuse_address = True


class TcpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    for _ in range(20):
        udp = UdpServer(('127.0.0.1', 0), Udp)
        port = udp.server_address[1]
        try:
            tcp = TcpServer(('127.0.0.1', port), Tcp)
            break
        except OSError:
            udp.server_close()
    else:
        sys.exit('dns_server: no port free for UDP and TCP together')
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    with open(sys.argv[1], 'w') as f:
        f.write(f'{port}\n')
    udp.serve_forever()


if __name__ == '__main__':
    main()
