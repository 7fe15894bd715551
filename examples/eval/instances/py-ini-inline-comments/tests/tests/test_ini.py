import unittest

from pyconf.ini import IniError, parse_ini


class ParseIniTests(unittest.TestCase):
    def test_sections_and_pairs(self):
        text = "name = demo\n[server]\nhost = localhost\nport=8080\n"
        self.assertEqual(
            parse_ini(text),
            {"": {"name": "demo"}, "server": {"host": "localhost", "port": "8080"}},
        )

    def test_full_line_comments_and_blanks(self):
        text = "; a comment\n\n# another\n[a]\nx = 1\n"
        self.assertEqual(parse_ini(text), {"": {}, "a": {"x": "1"}})

    def test_rejects_a_line_without_equals(self):
        with self.assertRaises(IniError):
            parse_ini("[a]\njust words\n")

    def test_inline_comments_are_dropped(self):
        text = "[db]\nhost = db.local ; the primary\nport = 5432   # default port\n"
        self.assertEqual(parse_ini(text)["db"], {"host": "db.local", "port": "5432"})

    def test_comment_characters_inside_a_value_are_kept(self):
        text = "[web]\ncolor = #ff0000\nurl = http://x.test/a;b\n"
        self.assertEqual(parse_ini(text)["web"], {"color": "#ff0000", "url": "http://x.test/a;b"})
