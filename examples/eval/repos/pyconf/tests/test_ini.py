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
